/**
 * Which EU AI Act provisions bind a system: the system's roles and risk class against each provision's
 * actors and risk tiers, on a date. coverage-independent and pure; AiSystemService.obligations runs the
 * same rule in SQL (tested against this one).
 */
import { Actor, RiskTier } from '../framework/framework.enums';
import { EuRole, HighRiskRoute, RiskClass } from './ai-system.enums';

/** Catalog actors for the organization's roles. A product manufacturer counts as provider (Art. 25(3)). */
export function actorsFor(roles: readonly EuRole[], riskClass: RiskClass | null): Actor[] {
  const out = new Set<Actor>();
  for (const r of roles) {
    switch (r) {
      case EuRole.PROVIDER:
      case EuRole.PRODUCT_MANUFACTURER:
        out.add(Actor.PROVIDER);
        if (riskClass === RiskClass.GPAI || riskClass === RiskClass.GPAI_SYSTEMIC_RISK) out.add(Actor.GPAI_PROVIDER);
        break;
      case EuRole.DEPLOYER: out.add(Actor.DEPLOYER); break;
      case EuRole.IMPORTER: out.add(Actor.IMPORTER); break;
      case EuRole.DISTRIBUTOR: out.add(Actor.DISTRIBUTOR); break;
      case EuRole.AUTHORISED_REPRESENTATIVE: out.add(Actor.AUTHORISED_REPRESENTATIVE); break;
    }
  }
  return [...out];
}

/** Catalog risk tiers that apply to a class; ALL applies to every system. */
export function tiersFor(riskClass: RiskClass | null): RiskTier[] {
  switch (riskClass) {
    case RiskClass.PROHIBITED: return [RiskTier.PROHIBITED, RiskTier.ALL];
    case RiskClass.HIGH_RISK: return [RiskTier.HIGH_RISK, RiskTier.ALL];
    case RiskClass.LIMITED_RISK: return [RiskTier.LIMITED_RISK, RiskTier.ALL];
    case RiskClass.GPAI: return [RiskTier.GPAI, RiskTier.ALL];
    case RiskClass.GPAI_SYSTEMIC_RISK: return [RiskTier.GPAI, RiskTier.GPAI_SYSTEMIC_RISK, RiskTier.ALL];
    default: return [RiskTier.ALL];
  }
}

export interface ProvisionFacts {
  actors: readonly Actor[];
  riskTiers: readonly RiskTier[];
  appliesFrom: string | null;
  appliesFromAnnexIProducts: string | null;
}

/**
 * The date a provision starts binding this system, or null if it never does. A provision that binds the
 * system only as a high-risk duty follows the route: Annex III systems take appliesFrom; Annex I products
 * take the later Art. 6(1) date, and provisions without one (Annex-III-only, e.g. Art. 27) never bind them.
 */
export function bindingFrom(p: ProvisionFacts, roles: readonly EuRole[], riskClass: RiskClass | null, route: HighRiskRoute | null): string | null {
  const actors = actorsFor(roles, riskClass);
  if (!p.actors.some((a) => actors.includes(a))) return null;
  const matched = p.riskTiers.filter((t) => tiersFor(riskClass).includes(t));
  if (!matched.length) return null;
  const onlyHighRisk = matched.every((t) => t === RiskTier.HIGH_RISK);
  if (onlyHighRisk && route === HighRiskRoute.ANNEX_I) return p.appliesFromAnnexIProducts;
  return p.appliesFrom;
}

export function binds(p: ProvisionFacts, roles: readonly EuRole[], riskClass: RiskClass | null, route: HighRiskRoute | null, asOf: Date): boolean {
  const from = bindingFrom(p, roles, riskClass, route);
  return from !== null && from <= asOf.toISOString().slice(0, 10);
}
