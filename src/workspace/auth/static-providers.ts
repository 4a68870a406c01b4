// Credentials that need no token exchange: a personal access token, or username and password.
import type { CredentialsProvider } from './types.ts';

export function patProvider(token: string): CredentialsProvider {
  return {
    authType: 'pat',
    headers: async () => ({ Authorization: `Bearer ${token}` }),
    knownSecrets: () => [token],
  };
}

export function basicProvider(username: string, password: string): CredentialsProvider {
  const encoded = Buffer.from(`${username}:${password}`).toString('base64');
  return {
    authType: 'basic',
    headers: async () => ({ Authorization: `Basic ${encoded}` }),
    knownSecrets: () => [password, encoded],
  };
}
