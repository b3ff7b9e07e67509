/** The command line of `npm run bench`. */
export const SECTIONS = [1, 2, 3, 4, 5, 6] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchArgs {
  quick: boolean;
  repeat: number;
  only: Set<Section>;
}

const USAGE = 'usage: npm run bench [-- --quick] [--only 1,2,5] [--repeat N]';

/** `--quick`: 2 repetitions unless `--repeat` says otherwise (5 without it); `--only`: the sections to run. */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let quick = false;
  let repeat: number | undefined;
  let only = new Set<Section>(SECTIONS);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value. ${USAGE}`);
      return v;
    };
    if (a === '--quick') quick = true;
    else if (a === '--repeat') {
      const v = value();
      if (!/^[1-9]\d*$/.test(v)) throw new Error(`--repeat must be a positive whole number, not '${v}'. ${USAGE}`);
      repeat = Number(v);
    } else if (a === '--only') {
      const v = value();
      const picked = v.split(',').map((s) => s.trim());
      const bad = picked.filter((s) => !SECTIONS.some((n) => String(n) === s));
      if (bad.length > 0 || picked.length === 0) throw new Error(`--only takes section numbers among ${SECTIONS.join(',')}, not '${v}'. ${USAGE}`);
      only = new Set(picked.map((s) => Number(s) as Section));
    } else throw new Error(`unknown argument '${a}'. ${USAGE}`);
  }
  return { quick, repeat: repeat ?? (quick ? 2 : 5), only };
}

