import type { ExtensionManifest } from '../catalog/schema.ts';
import { estimateFromPricing, meterFromPricing } from '../payments/pricing.ts';
import type { Extension } from './contract.ts';

/**
 * estimateCost and meterActual from the manifest's price list, metered from ready (or created) to the end.
 * Cloud adapters replace meterActual with cloudMeter, which uses the provider's own start and resources.
 */
export function manifestPricing(
  manifest: ExtensionManifest,
): Pick<Extension, 'estimateCost' | 'meterActual'> {
  return {
    estimateCost: ({ resources, ttl_s }) => estimateFromPricing(manifest.pricing, resources, ttl_s),
    meterActual: ({ sandbox, ended_at }) =>
      meterFromPricing(manifest.pricing, sandbox.resources, sandbox.ready_at ?? sandbox.created_at, ended_at),
  };
}
