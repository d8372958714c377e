/**
 * The Azure clouds an `azure_logs_ingestion` target may send to: the API checks a target's
 * endpoint against them, and the sender takes where to sign in and the scope from its cloud.
 */

/** An Azure cloud: the domain its ingestion endpoints are under, where apps sign in, the scope. */
export interface AzureCloud {
  domain: string;
  login: string;
  scope: string;
}

export const azureClouds: readonly AzureCloud[] = [
  {
    domain: 'monitor.azure.com',
    login: 'https://login.microsoftonline.com',
    scope: 'https://monitor.azure.com//.default',
  },
  {
    domain: 'monitor.azure.us',
    login: 'https://login.microsoftonline.us',
    scope: 'https://monitor.azure.us//.default',
  },
  { domain: 'monitor.azure.cn', login: 'https://login.chinacloudapi.cn', scope: 'https://monitor.azure.cn//.default' },
];

/** The cloud of an https ingestion endpoint (a data collection endpoint or a rule's own), if any. */
export function azureCloudOf(uri: string): AzureCloud | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:') return undefined;
  return azureClouds.find((cloud) => url.hostname.endsWith(`.${cloud.domain}`));
}
