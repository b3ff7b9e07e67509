/** The command line of `npm run bench`. */
export const SECTIONS = [1, 2, 3, 4, 5, 6] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchArgs {
  quick: boolean;
  repeat: number;
  only: Set<Section>;
  /** section 3: registries in the burst (default 200, quick 20) */
  burst?: number;
  /** section 3: bursts at most, each at half the speed of the one before (default 3) */
  burstSteps?: number;
  /** section 3: the first burst's time scale (default: 0.1, slower in proportion above 50 registries) */
  burstScale?: number;
}

const USAGE = 'usage: npm run bench [-- --quick] [--only 1,2,5] [--repeat N] [--burst N] [--burst-steps N] [--burst-scale X]';

/**
 * `--quick`: 2 repetitions unless `--repeat` says otherwise (5 without it); `--only`: the sections
 * to run; `--burst N`: section 3's registry count (its limits scale with it); `--burst-steps N`:
 * at most N bursts in section 3; `--burst-scale X`: section 3's first time scale.
 */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let quick = false;
  let repeat: number | undefined;
  let burst: number | undefined;
  let burstSteps: number | undefined;
  let burstScale: number | undefined;
  let only = new Set<Section>(SECTIONS);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value. ${USAGE}`);
      return v;
    };
    const positive = (): number => {
      const v = value();
      if (!/^[1-9]\d*$/.test(v)) throw new Error(`${a} must be a positive whole number, not '${v}'. ${USAGE}`);
      return Number(v);
    };
    if (a === '--quick') quick = true;
    else if (a === '--repeat') repeat = positive();
    else if (a === '--burst') burst = positive();
    else if (a === '--burst-steps') burstSteps = positive();
    else if (a === '--burst-scale') {
      const v = value();
      if (!/^(?:\d+(?:\.\d+)?|\.\d+)$/.test(v) || Number(v) <= 0 || Number(v) > 10) throw new Error(`${a} must be a time scale above 0 and at most 10, not '${v}'. ${USAGE}`);
      burstScale = Number(v);
    }
    else if (a === '--only') {
      const v = value();
      const picked = v.split(',').map((s) => s.trim());
      const bad = picked.filter((s) => !SECTIONS.some((n) => String(n) === s));
      if (bad.length > 0 || picked.length === 0) throw new Error(`--only takes section numbers among ${SECTIONS.join(',')}, not '${v}'. ${USAGE}`);
      only = new Set(picked.map((s) => Number(s) as Section));
    } else throw new Error(`unknown argument '${a}'. ${USAGE}`);
  }
  return { quick, repeat: repeat ?? (quick ? 2 : 5), only, ...(burst !== undefined ? { burst } : {}), ...(burstSteps !== undefined ? { burstSteps } : {}), ...(burstScale !== undefined ? { burstScale } : {}) };
}

