// Property tests run with a fixed seed under CI so a red run is reproducible;
// locally they explore a fresh seed each run (printed by fast-check on failure).
import fc from 'fast-check';

const ciSeed = process.env.FC_SEED ?? (process.env.CI === 'true' ? '20260401' : undefined);
if (ciSeed !== undefined) fc.configureGlobal({ seed: Number(ciSeed) });
