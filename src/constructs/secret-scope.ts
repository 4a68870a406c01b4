import type { SecretScopeModel } from '../model/types.ts';
import { Construct } from './construct.ts';
import { SecretHandle } from './refs.ts';

export interface SecretScopeProps {
  /** Scope name in the workspace; defaults to the id. */
  name?: string;
  backend_type?: 'DATABRICKS' | 'AZURE_KEYVAULT';
  /** Required for AZURE_KEYVAULT: the vault's resource id and DNS name (e.g. https://my-vault.vault.azure.net/). */
  keyvault_metadata?: { resource_id: string; dns_name: string };
}

/** A secret scope. Secret values never enter the bundle: only their names, which `secrets check` verifies. */
export class SecretScope extends Construct {
  readonly props: SecretScopeProps;
  private readonly keys = new Set<string>();

  constructor(scope: Construct, id: string, props: SecretScopeProps = {}) {
    super(scope, id);
    this.props = props;
  }

  get name(): string {
    return this.props.name ?? this.id;
  }

  /** A reference to one secret of this scope; the key is recorded as expected to exist. */
  secret(key: string): SecretHandle {
    this.keys.add(key);
    return new SecretHandle(this.name, key);
  }

  toModel(): SecretScopeModel {
    const settings: SecretScopeModel['settings'] = { name: this.name };
    if (this.props.backend_type) settings.backend_type = this.props.backend_type;
    if (this.props.keyvault_metadata) settings.keyvault_metadata = { ...this.props.keyvault_metadata };
    return { settings, keys: [...this.keys].sort() };
  }
}
