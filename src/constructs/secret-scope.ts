import type { SecretScopeModel } from '../model/types.ts';
import type { ResourcesSecretScope } from '../schema/bundle-types.ts';
import { Construct } from './construct.ts';
import type { ModelContext, ModelContributor } from './model-contributor.ts';
import { SecretHandle } from './refs.ts';
import { resourceRef, type ResourceRef } from './resource.ts';
import { onTarget, reportUnknownTargets, TargetOverrides, type DeepPartial, type OverrideOptions, type ResourceOptions } from './targets.ts';

export interface SecretScopeProps {
  /** Scope name in the workspace; defaults to the id. */
  name?: string;
  backend_type?: 'DATABRICKS' | 'AZURE_KEYVAULT';
  /** Required for AZURE_KEYVAULT: the vault's resource id and DNS name (e.g. https://my-vault.vault.azure.net/). */
  keyvault_metadata?: { resource_id: string; dns_name: string };
  /** Who may read or manage the scope (applied by the Databricks CLI; see `dbx-ts plan`). */
  permissions?: ResourcesSecretScope['permissions'];
  lifecycle?: ResourcesSecretScope['lifecycle'];
}

/** A secret scope. Secret values never enter the bundle: only their names, which `secrets check` verifies. */
export class SecretScope extends Construct implements ModelContributor {
  readonly props: SecretScopeProps;
  readonly options: ResourceOptions;
  readonly overrides = new TargetOverrides();
  private readonly keys = new Set<string>();

  constructor(scope: Construct, id: string, props: SecretScopeProps = {}, options: ResourceOptions = {}) {
    super(scope, id);
    this.props = props;
    this.options = options;
  }

  get name(): string {
    return this.props.name ?? this.id;
  }

  /** A reference to one of the scope's fields (e.g. `ref('name')`), resolved at deploy time. */
  ref(field: string): ResourceRef {
    return resourceRef('secret_scopes', this.id, field);
  }

  /** A reference to one secret of this scope; the key is recorded as expected to exist. */
  secret(key: string): SecretHandle {
    this.keys.add(key);
    return new SecretHandle(this.name, key);
  }

  /** Settings this target adds or changes (merged as the Databricks CLI merges a target's resources). */
  forTarget(target: string, overrides: DeepPartial<ResourcesSecretScope>, how: OverrideOptions = {}): this {
    this.overrides.add(target, overrides, how);
    return this;
  }

  onTarget(target: string): boolean {
    return onTarget(this.options, target);
  }

  toModel(target?: string): SecretScopeModel {
    let settings: SecretScopeModel['settings'] = { name: this.name };
    if (this.props.backend_type) settings.backend_type = this.props.backend_type;
    if (this.props.keyvault_metadata) settings.keyvault_metadata = { ...this.props.keyvault_metadata };
    if (this.props.permissions !== undefined) settings.permissions = structuredClone(this.props.permissions);
    if (this.props.lifecycle !== undefined) settings.lifecycle = structuredClone(this.props.lifecycle);
    if (target !== undefined) settings = this.overrides.apply('secret_scopes', settings, target) as SecretScopeModel['settings'];
    return { settings, keys: [...this.keys].sort() };
  }

  contributeTo(ctx: ModelContext): void {
    reportUnknownTargets(this.overrides, this.options, `resources.secret_scopes.${this.id}`, ctx);
    if (this.onTarget(ctx.target)) ctx.add('secret_scopes', this.id, this.toModel(ctx.target), this.location);
  }
}
