// Gathers the unified-auth configuration and remembers where each value came from. Two modes:
// - plain (the SDKs, api-notes §10): explicit options, then the environment, then a ~/.databrickscfg profile that is
//   read only when one is named or nothing else configured a host or credentials;
// - bundle target (the Databricks CLI's bundle commands): the profile is DATABRICKS_CONFIG_PROFILE (which -p sets),
//   else the target's workspace.profile, else the one profile whose host is the target's host, else (for a target
//   without a host) [__settings__] default_profile; a selected profile wins over auth variables in the environment,
//   which only fill what it leaves empty, and its host must be the target's host.
import { UserError } from '../../errors/index.ts';
import { normalizeHost } from '../host.ts';
import { ATTRIBUTES, authGroupsUsed, isSet, nonEmpty, type Attribute, type AttributeName, type DatabricksConfig } from './attributes.ts';
import { parseIni, type ConfigFile } from './config-file.ts';
import type { AttributeSource } from './types.ts';

/** A bundle target's workspace settings. */
export interface TargetWorkspace {
  name: string;
  host?: string;
  profile?: string;
}

/** The auth-relevant part of a bundle target (structurally: the model's TargetModel fits). */
export function targetWorkspace(target: { name: string; workspace: { host?: string | undefined; profile?: string | undefined } }): TargetWorkspace {
  return {
    name: target.name,
    ...(target.workspace.host ? { host: target.workspace.host } : {}),
    ...(target.workspace.profile ? { profile: target.workspace.profile } : {}),
  };
}

export interface LoadInput {
  env: Record<string, string | undefined>;
  configFile?: ConfigFile;
  /** Explicit options (plain mode): they win over everything. */
  host?: string;
  profile?: string;
  authType?: string;
  /** A bundle target: switches to the Databricks CLI's bundle rules. */
  target?: TargetWorkspace;
}

export interface LoadedConfig {
  config: DatabricksConfig;
  sources: Partial<Record<AttributeName, AttributeSource>>;
  profile?: { name: string; reason: string; source: AttributeSource; file: ConfigFile };
}

type Sections = Map<string, Record<string, string>>;

class Collector {
  readonly config: DatabricksConfig = {};
  readonly sources: Partial<Record<AttributeName, AttributeSource>> = {};

  /** Sets a value unless one is already set (earlier sources win). */
  fill(name: AttributeName, value: string | undefined, source: AttributeSource): void {
    if (nonEmpty(this.config[name]) || !nonEmpty(value)) return;
    this.config[name] = value.trim();
    this.sources[name] = source;
  }

  fillFromEnv(env: Record<string, string | undefined>, which: (a: Attribute) => boolean): void {
    for (const a of ATTRIBUTES) if (which(a)) this.fill(a.name, env[a.env], { kind: 'env', name: a.env });
  }

  fillFromSection(section: Record<string, string>, file: ConfigFile, profile: string): void {
    for (const a of ATTRIBUTES) this.fill(a.name, section[a.name], { kind: 'file', name: `${file.path} [${profile}]` });
  }

  /** Host or credentials configured (the SDKs then skip the config file). */
  anythingSet(): boolean {
    return nonEmpty(this.config.host) || authGroupsUsed(this.config).length > 0;
  }
}

function sectionsOf(file: ConfigFile | undefined): Sections {
  return file === undefined ? new Map() : parseIni(file.text);
}

function profileNames(sections: Sections): string {
  return [...sections.keys()].filter((s) => s !== '__settings__').join(', ') || 'none';
}

/** The section of a profile that must exist (a named profile that is missing is an error). */
function requireSection(file: ConfigFile | undefined, sections: Sections, name: string, reason: string): Record<string, string> {
  if (file === undefined) {
    throw new UserError(`Profile "${name}" (${reason}) was requested but there is no Databricks config file`, 'Create ~/.databrickscfg (`databricks auth login` does) or set DATABRICKS_CONFIG_FILE.');
  }
  const section = sections.get(name);
  if (section === undefined) throw new UserError(`${file.path} has no [${name}] profile (${reason})`, `Profiles in the file: ${profileNames(sections)}.`);
  return section;
}

function sameHost(a: string, b: string): boolean {
  try {
    return normalizeHost(a) === normalizeHost(b);
  } catch {
    return false;
  }
}

/** Plain mode: the SDKs' order. */
function loadPlain(input: LoadInput): LoadedConfig {
  const c = new Collector();
  const option = (name: string): AttributeSource => ({ kind: 'option', name });
  c.fill('host', input.host, option('host'));
  c.fill('auth_type', input.authType, option('--auth-type'));
  const envProfile = input.env.DATABRICKS_CONFIG_PROFILE;
  const named = nonEmpty(input.profile)
    ? { name: input.profile.trim(), source: option('profile'), reason: 'named by the profile option' }
    : nonEmpty(envProfile)
      ? { name: envProfile.trim(), source: { kind: 'env', name: 'DATABRICKS_CONFIG_PROFILE' } as AttributeSource, reason: 'named by DATABRICKS_CONFIG_PROFILE' }
      : undefined;
  c.fillFromEnv(input.env, () => true);
  if (named === undefined && c.anythingSet()) return c;

  const file = input.configFile;
  const sections = sectionsOf(file);
  if (named !== undefined) {
    c.fillFromSection(requireSection(file, sections, named.name, named.reason), file as ConfigFile, named.name);
    return { ...c, profile: { ...named, file: file as ConfigFile } };
  }
  if (file === undefined) return c;
  const defaultProfile = sections.get('__settings__')?.['default_profile'];
  if (nonEmpty(defaultProfile)) {
    const reason = '[__settings__] default_profile';
    c.fillFromSection(requireSection(file, sections, defaultProfile, reason), file, defaultProfile);
    return { ...c, profile: { name: defaultProfile, reason, source: { kind: 'file', name: `${file.path} ${reason}` }, file } };
  }
  const section = sections.get('DEFAULT');
  if (section === undefined) return c; // a missing DEFAULT is fine
  c.fillFromSection(section, file, 'DEFAULT');
  const reason = 'the [DEFAULT] profile: nothing else configured a host or credentials';
  return { ...c, profile: { name: 'DEFAULT', reason, source: { kind: 'file', name: file.path }, file } };
}

/** The profile a bundle target selects explicitly, if any, and why. */
function selectedProfile(input: LoadInput, target: TargetWorkspace, sections: Sections): { name: string; reason: string; source: AttributeSource } | undefined {
  if (nonEmpty(input.profile)) return { name: input.profile.trim(), reason: 'named by the profile option', source: { kind: 'option', name: 'profile' } };
  const envProfile = input.env.DATABRICKS_CONFIG_PROFILE;
  if (nonEmpty(envProfile)) return { name: envProfile.trim(), reason: 'named by DATABRICKS_CONFIG_PROFILE', source: { kind: 'env', name: 'DATABRICKS_CONFIG_PROFILE' } };
  if (nonEmpty(target.profile)) {
    const name = `targets.${target.name}.workspace.profile`;
    return { name: target.profile.trim(), reason: `named by ${name}`, source: { kind: 'target', name } };
  }
  const defaultProfile = sections.get('__settings__')?.['default_profile'];
  if (!nonEmpty(target.host) && nonEmpty(defaultProfile) && input.configFile !== undefined) {
    const reason = `[__settings__] default_profile (target ${target.name} sets no host)`;
    return { name: defaultProfile, reason, source: { kind: 'file', name: `${input.configFile.path} [__settings__] default_profile` } };
  }
  return undefined;
}

/** The one profile whose host is `host`; undefined when none is. */
function profileMatchingHost(file: ConfigFile, sections: Sections, host: string): string | undefined {
  const matches = [...sections.entries()].filter(([name, s]) => name !== '__settings__' && nonEmpty(s['host']) && sameHost(s['host'], host)).map(([name]) => name);
  if (matches.length > 1) {
    throw new UserError(
      `${normalizeHost(host)}: multiple profiles in ${file.path} match this host: ${matches.join(', ')}`,
      `Pick one with -p/--profile ${matches[0]}, DATABRICKS_CONFIG_PROFILE, or the target's workspace.profile.`,
    );
  }
  return matches[0];
}

/** Bundle-target mode: the Databricks CLI's rules (cmd/root/bundle.go, bundle/config/workspace.go). */
function loadForTarget(input: LoadInput, target: TargetWorkspace): LoadedConfig {
  const c = new Collector();
  const file = input.configFile;
  const sections = sectionsOf(file);
  const hostSource: AttributeSource = { kind: 'target', name: `targets.${target.name}.workspace.host` };
  c.fill('host', target.host, hostSource);
  c.fill('auth_type', input.authType, { kind: 'option', name: '--auth-type' });

  const selected = selectedProfile(input, target, sections);
  if (selected !== undefined) {
    const section = requireSection(file, sections, selected.name, selected.reason);
    const profileHost = section['host'];
    if (nonEmpty(target.host) && nonEmpty(profileHost) && !sameHost(profileHost, target.host)) {
      const matching = file === undefined ? undefined : [...sections.entries()].find(([n, s]) => n !== '__settings__' && nonEmpty(s['host']) && sameHost(s['host'], target.host as string))?.[0];
      throw new UserError(
        `The host of profile "${selected.name}" (${normalizeHost(profileHost)}) is not the host of target ${target.name} (${normalizeHost(target.host)})`,
        matching !== undefined ? `Profile "${matching}" has that host: pass -p ${matching}.` : `Pick a profile for ${normalizeHost(target.host)}, or change the target's workspace.host.`,
      );
    }
    c.fillFromEnv(input.env, (a) => !a.auth);
    c.fillFromSection(section, file as ConfigFile, selected.name);
    // The environment fills what the profile leaves empty, never auth_type (it would re-steer the profile).
    c.fillFromEnv(input.env, (a) => a.auth === true && a.name !== 'auth_type');
    return { ...c, profile: { ...selected, file: file as ConfigFile } };
  }

  if (nonEmpty(target.host)) {
    c.fillFromEnv(input.env, () => true);
    if (authGroupsUsed(c.config).length > 0 || isSet(c.config, 'auth_type') || file === undefined) return c;
    const match = profileMatchingHost(file, sections, target.host);
    if (match === undefined) return c;
    c.fillFromSection(sections.get(match) as Record<string, string>, file, match);
    const reason = `the only profile whose host is ${hostSource.name}`;
    return { ...c, profile: { name: match, reason, source: { kind: 'file', name: `${file.path} (host match)` }, file } };
  }

  // A target without host or profile: the SDKs' own order.
  return loadPlain({ ...input, ...(c.config.auth_type ? { authType: c.config.auth_type } : {}) });
}

export function loadConfig(input: LoadInput): LoadedConfig {
  return input.target === undefined ? loadPlain(input) : loadForTarget(input, input.target);
}
