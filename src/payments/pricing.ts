import type { Pricing, Resources } from '../catalog/schema.ts';
import { fromMicros, multiplyRate, sumMicros } from '../core/money.ts';
import type { Meter } from '../core/record.ts';

/** Cost of running `resources` for `seconds` under a per-second price list, in micro-dollars. */
export function costMicros(pricing: Pricing, resources: Resources, seconds: number): bigint {
  if (pricing.model === 'free') return 0n;
  const billed = Math.max(seconds, pricing.minimum_seconds);
  const parts: bigint[] = [];
  if (pricing.per_second_usd) parts.push(multiplyRate(pricing.per_second_usd, billed));
  if (pricing.per_vcpu_second_usd)
    parts.push(multiplyRate(pricing.per_vcpu_second_usd, billed * resources.cpu));
  if (pricing.per_gib_second_usd) {
    parts.push(multiplyRate(pricing.per_gib_second_usd, (billed * resources.memory_mib) / 1024));
  }
  if (pricing.per_gpu_second_usd && resources.gpu_count > 0) {
    parts.push(multiplyRate(pricing.per_gpu_second_usd, billed * resources.gpu_count));
  }
  return sumMicros(parts);
}

export function pricingBasis(pricing: Pricing, resources: Resources, seconds: number): string {
  if (pricing.model === 'free') return 'free';
  const rates = [
    pricing.per_second_usd && `${pricing.per_second_usd}/s`,
    pricing.per_vcpu_second_usd && `${pricing.per_vcpu_second_usd}/vCPU-s × ${resources.cpu}`,
    pricing.per_gib_second_usd &&
      `${pricing.per_gib_second_usd}/GiB-s × ${(resources.memory_mib / 1024).toFixed(3)}`,
    pricing.per_gpu_second_usd &&
      resources.gpu_count > 0 &&
      `${pricing.per_gpu_second_usd}/GPU-s × ${resources.gpu_count}`,
  ].filter(Boolean);
  return `${seconds}s × (${rates.join(' + ')})`;
}

export function estimateFromPricing(pricing: Pricing, resources: Resources, ttl_s: number) {
  return {
    usd: fromMicros(costMicros(pricing, resources, ttl_s)),
    basis: pricingBasis(pricing, resources, ttl_s),
  };
}

/** The actual meter from the real start and end times (whole seconds, rounded up as providers bill). */
export function meterFromPricing(
  pricing: Pricing,
  resources: Resources,
  started_at: string,
  ended_at: string,
): Meter {
  const duration_s = Math.max(0, Math.ceil((Date.parse(ended_at) - Date.parse(started_at)) / 1000));
  const flat: Record<string, string | number> = { model: pricing.model, currency: pricing.currency };
  for (const k of [
    'per_second_usd',
    'per_vcpu_second_usd',
    'per_gib_second_usd',
    'per_gpu_second_usd',
  ] as const) {
    if (pricing[k]) flat[k] = pricing[k];
  }
  flat.cpu = resources.cpu;
  flat.memory_mib = resources.memory_mib;
  if (resources.gpu_count) flat.gpu_count = resources.gpu_count;
  return {
    duration_s,
    actual_usd: fromMicros(costMicros(pricing, resources, duration_s)),
    started_at,
    ended_at,
    pricing: flat,
  };
}
