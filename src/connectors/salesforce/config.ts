import { ConnectorConfigError } from '../connector.js';
import { baseUrl, configObject, oneOf, patternString, requiredString } from '../transport/config-guard.js';

/** Non-secret settings of a Salesforce connector. */
export interface SalesforceSettings {
  /** The org's My Domain URL, such as https://acme.my.salesforce.com. */
  readonly instanceUrl: string;
  /** The REST API version in the path, such as v60.0: 46.0 or later (sObject Collections upsert). */
  readonly apiVersion: string;
  /** The sObject written: a Lead or a Contact. */
  readonly object: 'Lead' | 'Contact';
  /** The object's external ID field holding the Kith customer id, such as Kith_Id__c. */
  readonly externalIdField: string;
  /** The checkbox field an unsubscribe sets to true; HasOptedOutOfEmail (standard on Lead and Contact) unless given. */
  readonly optOutField: string;
}

/** Secrets of a Salesforce connector. */
export interface SalesforceSecrets {
  /** An OAuth access token for the org, sent as `Authorization: Bearer`. */
  readonly accessToken: string;
}

const API_VERSION = /^v\d{2,3}\.0$/;
/** An API field name: letters, digits and underscores, custom ones ending in __c. */
const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;

export function parseSalesforceSettings(raw: unknown): SalesforceSettings {
  const obj = configObject(raw, 'settings');
  const apiVersion = patternString(obj, 'settings', 'apiVersion', API_VERSION, 'a REST API version such as v60.0', 'v60.0');
  if (Number(apiVersion.slice(1)) < 46) {
    throw new ConnectorConfigError('settings.apiVersion must be v46.0 or later (sObject Collections upsert)', 'settings.apiVersion');
  }
  return {
    instanceUrl: baseUrl(obj, 'settings', 'instanceUrl'),
    apiVersion,
    object: oneOf(obj, 'settings', 'object', ['Lead', 'Contact'] as const),
    externalIdField: patternString(obj, 'settings', 'externalIdField', FIELD_NAME, 'a field API name such as Kith_Id__c'),
    optOutField: patternString(obj, 'settings', 'optOutField', FIELD_NAME, 'a field API name', 'HasOptedOutOfEmail'),
  };
}

export function parseSalesforceSecrets(raw: unknown): SalesforceSecrets {
  const obj = configObject(raw, 'secrets');
  return { accessToken: requiredString(obj, 'secrets', 'accessToken') };
}
