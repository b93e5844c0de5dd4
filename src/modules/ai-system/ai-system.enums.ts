import { registerEnumType } from 'type-graphql';

export enum LifecycleStage {
  IDEA = 'IDEA',
  DESIGN = 'DESIGN',
  DEVELOPMENT = 'DEVELOPMENT',
  VERIFICATION = 'VERIFICATION',
  DEPLOYMENT = 'DEPLOYMENT',
  OPERATION = 'OPERATION',
  RETIRED = 'RETIRED',
}
export const STAGE_ORDER = Object.values(LifecycleStage);

export enum EuRole {
  PROVIDER = 'PROVIDER',
  DEPLOYER = 'DEPLOYER',
  IMPORTER = 'IMPORTER',
  DISTRIBUTOR = 'DISTRIBUTOR',
  AUTHORISED_REPRESENTATIVE = 'AUTHORISED_REPRESENTATIVE',
  PRODUCT_MANUFACTURER = 'PRODUCT_MANUFACTURER',
}

export enum RiskClass {
  PROHIBITED = 'PROHIBITED',
  HIGH_RISK = 'HIGH_RISK',
  LIMITED_RISK = 'LIMITED_RISK',
  MINIMAL_RISK = 'MINIMAL_RISK',
  GPAI = 'GPAI',
  GPAI_SYSTEMIC_RISK = 'GPAI_SYSTEMIC_RISK',
}

export enum HighRiskRoute {
  ANNEX_III = 'ANNEX_III',
  ANNEX_I = 'ANNEX_I',
}

export enum OversightModel {
  HUMAN_IN_THE_LOOP = 'HUMAN_IN_THE_LOOP',
  HUMAN_ON_THE_LOOP = 'HUMAN_ON_THE_LOOP',
  HUMAN_IN_COMMAND = 'HUMAN_IN_COMMAND',
}

export enum GateTaskStatus {
  OPEN = 'OPEN',
  DONE = 'DONE',
  WONT_DO = 'WONT_DO',
}

registerEnumType(LifecycleStage, {
  name: 'LifecycleStage',
  description: 'Where an AI system is in its life cycle, in order.',
  valuesConfig: {
    IDEA: { description: 'Proposed.' }, DESIGN: { description: 'Being designed.' }, DEVELOPMENT: { description: 'Being built or procured.' },
    VERIFICATION: { description: 'Being verified and validated.' }, DEPLOYMENT: { description: 'Being deployed.' },
    OPERATION: { description: 'In use.' }, RETIRED: { description: 'Withdrawn; out of scope.' },
  },
});
registerEnumType(EuRole, {
  name: 'EuRole',
  description: "The organization's EU AI Act role for a system.",
  valuesConfig: {
    PROVIDER: { description: 'Provider (Art. 3(3)).' }, DEPLOYER: { description: 'Deployer (Art. 3(4)).' },
    IMPORTER: { description: 'Importer (Art. 3(6)).' }, DISTRIBUTOR: { description: 'Distributor (Art. 3(7)).' },
    AUTHORISED_REPRESENTATIVE: { description: 'Authorised representative (Art. 3(5)).' },
    PRODUCT_MANUFACTURER: { description: 'Product manufacturer placing the system on the market with its product; treated as provider (Art. 25(3)).' },
  },
});
registerEnumType(RiskClass, {
  name: 'RiskClass',
  description: 'EU AI Act risk classification of a system.',
  valuesConfig: {
    PROHIBITED: { description: 'A prohibited practice (Art. 5).' }, HIGH_RISK: { description: 'High-risk (Art. 6); needs a route.' },
    LIMITED_RISK: { description: 'Transparency obligations (Art. 50).' }, MINIMAL_RISK: { description: 'No specific obligations beyond those for all.' },
    GPAI: { description: 'General-purpose AI model (Chapter V).' }, GPAI_SYSTEMIC_RISK: { description: 'General-purpose AI model with systemic risk.' },
  },
});
registerEnumType(HighRiskRoute, {
  name: 'HighRiskRoute',
  description: 'Why a system is high-risk, which decides the dates that apply.',
  valuesConfig: {
    ANNEX_III: { description: 'An Annex III use case (Art. 6(2)).' },
    ANNEX_I: { description: 'A product, or safety component, under Annex I legislation (Art. 6(1)); later dates apply.' },
  },
});
registerEnumType(OversightModel, {
  name: 'OversightModel',
  description: 'How humans oversee the system.',
  valuesConfig: {
    HUMAN_IN_THE_LOOP: { description: 'A person approves each decision.' },
    HUMAN_ON_THE_LOOP: { description: 'A person monitors and can intervene.' },
    HUMAN_IN_COMMAND: { description: 'A person decides when and how the system is used.' },
  },
});
registerEnumType(GateTaskStatus, {
  name: 'GateTaskStatus',
  description: 'State of a lifecycle gate task.',
  valuesConfig: { OPEN: { description: 'To do.' }, DONE: { description: 'Done.' }, WONT_DO: { description: 'Not done, with a justification.' } },
});
