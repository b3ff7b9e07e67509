import { parseBenchArgs } from '../../../bench/args';
import { formatTable, summarize } from '../../../bench/report';

describe('npm run bench arguments', () => {
  it('runs every section, 5 repetitions, by default; --quick makes it 2 unless --repeat says otherwise', () => {
    expect(parseBenchArgs([])).toEqual({ quick: false, repeat: 5, only: new Set([1, 2, 3, 4, 5, 6]) });
    expect(parseBenchArgs(['--quick'])).toMatchObject({ quick: true, repeat: 2 });
    expect(parseBenchArgs(['--quick', '--repeat', '3', '--only', '1,2,5'])).toEqual({ quick: true, repeat: 3, only: new Set([1, 2, 5]) });
  });

  it('section 3 takes its burst size and how many bursts at most', () => {
    expect(parseBenchArgs(['--only', '3', '--burst', '20', '--burst-steps', '2'])).toEqual({ quick: false, repeat: 5, only: new Set([3]), burst: 20, burstSteps: 2 });
    expect(parseBenchArgs(['--only', '3', '--burst-scale', '1.6']).burstScale).toBe(1.6);
  });

  it.each([
    [['--repeat', '0'], /--repeat must be a positive whole number/],
    [['--repeat'], /--repeat needs a value/],
    [['--burst', '1.5'], /--burst must be a positive whole number, not '1.5'/],
    [['--burst-steps', '0'], /--burst-steps must be a positive whole number/],
    [['--burst-scale', '0'], /--burst-scale must be a time scale above 0 and at most 10, not '0'/],
    [['--burst-scale', 'slow'], /--burst-scale must be a time scale above 0 and at most 10, not 'slow'/],
    [['--only', '1,7'], /--only takes section numbers among 1,2,3,4,5,6/],
    [['--fast'], /unknown argument '--fast'/],
  ])('refuses %p', (argv, message) => {
    expect(() => parseBenchArgs(argv)).toThrow(message);
  });
});

describe('the bench table', () => {
  it('shows the median, the spread and the ratio to the reference, and each note line once', () => {
    const rows = [
      summarize({ section: '1', metric: 'exposure window', unit: 's', samples: [33, 31, 30], reference: 30, referenceLabel: 'critical path', goal: '≤ 1.1×', note: 'model: A\nchain: X' }),
      summarize({ section: '1', metric: 'exposure window, 3 regions', unit: 's', samples: [36], reference: 30, note: 'model: A\nchain: Y' }),
      summarize({ section: '2', metric: 're-run writes', unit: 'calls', samples: [0, 0], reference: 0 }),
    ];
    expect(rows[0]).toMatchObject({ median: 31, min: 30, max: 33 });
    expect(rows[0]?.spread).toBeCloseTo(3 / 31);
    expect(rows[2]?.ratio).toBeUndefined();
    const table = formatTable(rows);
    const line = table.split('\n').find((l) => l.startsWith('1 | exposure window ')) ?? '';
    expect(line).toMatch(/31 s\s+\| 30 – 33\s+\| 10%\s+\| 3\s+\| 30 s \(critical path\)\s+\| 1\.03×\s+\| ≤ 1\.1×/);
    expect(table.split('\n').filter((l) => l === '[1] model: A')).toHaveLength(1);
    expect(table).toContain('[1] chain: Y');
  });
});
