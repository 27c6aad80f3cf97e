/**
 * `@smartkirana/domain/testing`: event builders and the random shop generator, for tests and
 * benchmarks in every package.
 */
export { Rng } from './rng.ts';
export {
  ShopSim,
  DeviceSim,
  SIM_START_MS,
  type SellLine,
  type SellOptions,
  type ShopSimOptions,
  type SimProduct,
} from './shop-sim.ts';
export { generateShop, type GenerateOptions, type GeneratedShop } from './generator.ts';
