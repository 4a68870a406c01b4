// npm run bench:live — file landed → served dashboard updated, on the local target (`run --continuous` and
// `dashboard --serve` in their own processes). Target on a 2-core machine: median ≤ 5 s.
// BENCH_LIVE_FILES sets how many files land (default 5); arguments after `--` go to `dbx-ts simulate` first.
// The page is watched in headless Chromium where it is installed (DBX_TS_CHROMIUM, default /usr/bin/chromium).
import { cpus, loadavg } from 'node:os';
import { measureLiveLatency } from './lib/live-latency.ts';

const TARGET_MS = 5000;
const files = Number(process.env['BENCH_LIVE_FILES'] ?? 5);
const simulate = process.argv.slice(2);
const result = await measureLiveLatency({ files, ...(simulate.length > 0 ? { simulate } : {}), log: (line) => console.log(`  ${line}`) });
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`\nfile landed → dashboard updated (${result.observer === 'browser' ? 'drawn in headless Chromium' : 'delivered to the page'}), ${result.samples_ms.length} files (${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}):`);
console.log('  (not a comparison: latencies against a fixed target, no baseline side)');
console.log(`  median ${s(result.median_ms)}   min ${s(result.min_ms)}   max ${s(result.max_ms)}   target ≤ ${s(TARGET_MS)}: ${result.median_ms <= TARGET_MS ? 'met' : 'NOT met'}`);
