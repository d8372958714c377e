/**
 * Who the IdP says the user is, from a validated assertion: the NameID is the user id; email,
 * name and groups come from the first attribute present among the names IdPs commonly use
 * (plain names as ngrok documents them, then the LDAP OIDs and the Microsoft claim URIs).
 */
import type { Profile } from '@node-saml/node-saml';
import type { Identity } from '../identity/login-flow.ts';

const emailNames = [
  'email',
  'mail',
  'urn:oid:0.9.2342.19200300.100.1.3',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
];
const nameNames = [
  'name',
  'displayName',
  'urn:oid:2.16.840.1.113730.3.1.241',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
];
const givenNames = ['firstName', 'givenName', 'urn:oid:2.5.4.42'];
const familyNames = ['lastName', 'surname', 'sn', 'urn:oid:2.5.4.4'];
const groupNames = ['groups', 'group', 'memberOf', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/groups'];
const emailFormat = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

/** id (NameID), name and email of the user; "" for what the assertion does not say. */
export function identityOf(profile: Profile): Identity {
  const given = [first(profile, givenNames), first(profile, familyNames)].filter(Boolean).join(' ');
  const email = first(profile, emailNames) || (profile.nameIDFormat === emailFormat ? profile.nameID : '');
  return { id: profile.nameID, name: first(profile, nameNames) || given, email, providerSession: sessionOf(profile) };
}

/** What a LogoutRequest for this user names besides the NameID: its format and qualifiers, the SessionIndex. */
function sessionOf(profile: Profile): Record<string, string> {
  const parts = {
    nameIDFormat: profile.nameIDFormat,
    nameQualifier: profile.nameQualifier,
    spNameQualifier: profile.spNameQualifier,
    sessionIndex: profile.sessionIndex,
  };
  return Object.fromEntries(
    Object.entries(parts).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== ''),
  );
}

/** The groups the assertion names for the user (attribute "groups", or the first alias present). */
export function groupsOf(profile: Profile): string[] {
  for (const name of groupNames) {
    const values = texts(profile[name]);
    if (values.length) return values;
  }
  return [];
}

function first(profile: Profile, names: string[]): string {
  for (const name of names) {
    const value = texts(profile[name])[0];
    if (value) return value;
  }
  return '';
}

function texts(value: unknown): string[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  return list.filter((v): v is string => typeof v === 'string' && v !== '');
}
