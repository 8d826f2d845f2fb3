import type { ResolvedConfig } from '../config/load.js';
import { SwitchyardError } from '../spec/errors.js';

/** One concrete target: a provider and its own model id. */
export interface ModelTarget {
  provider: string;
  modelId: string;
  /** `provider/modelId`, as reported on responses. */
  model: string;
}

/**
 * Resolves what a caller wrote as `model` into the ordered targets to try:
 * a route name gives its members, `provider/model` gives itself, and a bare
 * name goes to the default provider. An unknown or disabled provider is a
 * `model_not_found` error (404).
 */
export function resolveTargets(model: string, config: Pick<ResolvedConfig, 'routes' | 'providers' | 'defaultProvider'>): ModelTarget[] {
  if (typeof model !== 'string' || model.trim() === '') {
    throw new SwitchyardError({ code: 'invalid_request', status: 400, param: 'model', message: 'model is required' });
  }
  const members = Object.hasOwn(config.routes, model) ? config.routes[model] : [model];
  return members.map((member) => resolveTarget(member, config));
}

function resolveTarget(member: string, config: Pick<ResolvedConfig, 'providers' | 'defaultProvider'>): ModelTarget {
  const slash = member.indexOf('/');
  const provider = slash > 0 ? member.slice(0, slash) : config.defaultProvider;
  const modelId = slash > 0 ? member.slice(slash + 1) : member;
  if (!Object.hasOwn(config.providers, provider)) {
    throw new SwitchyardError({
      code: 'model_not_found',
      status: 404,
      param: 'model',
      message: `unknown or disabled provider "${provider}" for model "${member}" (enabled: ${Object.keys(config.providers).join(', ')})`,
    });
  }
  if (modelId === '') {
    throw new SwitchyardError({ code: 'model_not_found', status: 404, param: 'model', message: `model "${member}" names no model after the provider` });
  }
  return { provider, modelId, model: `${provider}/${modelId}` };
}
