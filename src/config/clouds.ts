/**
 * The Microsoft clouds the bot can run in and their endpoints (PRODUCT.md, "National clouds"):
 * tokens do not cross clouds, so every endpoint of a deployment comes from one row.
 */
/** The Microsoft clouds the bot can run in (Germany closed on 2021-10-29). */
export const CLOUDS = ['public', 'gcchigh', 'dod', 'china'] as const;
export type CloudName = (typeof CLOUDS)[number];

/** Settings of the Bot Framework channel for one cloud, in botbuilder's own key names. */
export type BotFrameworkCloudSettings = Readonly<Record<string, string>>;

/** The endpoints of one national cloud (PRODUCT.md, "National clouds"). */
export interface CloudEndpoints {
  readonly login: string;
  readonly graph: string;
  readonly partnerCenter: string;
  /** Whether Partner Center service requests exist in this cloud (not in 21Vianet). */
  readonly serviceRequestsAvailable: boolean;
  /** Microsoft 365 admin center, for links to service health and post-incident reviews. */
  readonly adminCenter: string;
  readonly botFramework: BotFrameworkCloudSettings;
}

const CLOUD_TABLE: { readonly [C in CloudName]: CloudEndpoints } = {
  public: {
    login: 'https://login.microsoftonline.com',
    graph: 'https://graph.microsoft.com',
    partnerCenter: 'https://api.partnercenter.microsoft.com',
    serviceRequestsAvailable: true,
    adminCenter: 'https://admin.microsoft.com',
    botFramework: {},
  },
  gcchigh: {
    login: 'https://login.microsoftonline.us',
    graph: 'https://graph.microsoft.us',
    partnerCenter: 'https://api.partnercenter.microsoft.com',
    serviceRequestsAvailable: true,
    adminCenter: 'https://portal.office365.us',
    botFramework: { ChannelService: 'https://botframework.azure.us' },
  },
  dod: {
    login: 'https://login.microsoftonline.us',
    graph: 'https://dod-graph.microsoft.us',
    partnerCenter: 'https://api.partnercenter.microsoft.com',
    serviceRequestsAvailable: true,
    adminCenter: 'https://portal.apps.mil',
    botFramework: { ChannelService: 'https://botframework.azure.us' },
  },
  china: {
    login: 'https://login.chinacloudapi.cn',
    graph: 'https://microsoftgraph.chinacloudapi.cn',
    partnerCenter: 'https://partner.partnercenterapi.microsoftonline.cn',
    serviceRequestsAvailable: false,
    adminCenter: 'https://portal.partner.microsoftonline.cn',
    // 21Vianet has no ChannelService shortcut in botbuilder: every endpoint is explicit.
    botFramework: {
      OAuthUrl: 'https://token.botframework.azure.cn/',
      ToChannelFromBotLoginUrl: 'https://login.partner.microsoftonline.cn/microsoftservices.partner.onmschina.cn',
      ToChannelFromBotOAuthScope: 'https://api.botframework.azure.cn',
      ToBotFromChannelTokenIssuer: 'https://api.botframework.azure.cn',
      ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.azure.cn/v1/.well-known/openidconfiguration',
      ToBotFromEmulatorOpenIdMetadataUrl:
        'https://login.partner.microsoftonline.cn/a55a4d5b-9241-49b1-b4ff-befa8db00269/v2.0/.well-known/openid-configuration',
      ValidateAuthority: 'true',
    },
  },
};

/**
 * What a user-assigned managed identity's tokens are for, per cloud: the assertion of an app's
 * federated credential (its `aud`), and Azure Database for PostgreSQL's Entra sign-in.
 */
export const MANAGED_IDENTITY_AUDIENCES: { readonly [C in CloudName]: { readonly tokenExchange: string; readonly postgres: string } } = {
  public: { tokenExchange: 'api://AzureADTokenExchange', postgres: 'https://ossrdbms-aad.database.windows.net' },
  gcchigh: { tokenExchange: 'api://AzureADTokenExchangeUSGov', postgres: 'https://ossrdbms-aad.database.usgovcloudapi.net' },
  dod: { tokenExchange: 'api://AzureADTokenExchangeUSGov', postgres: 'https://ossrdbms-aad.database.usgovcloudapi.net' },
  china: { tokenExchange: 'api://AzureADTokenExchangeChina', postgres: 'https://ossrdbms-aad.database.chinacloudapi.cn' },
};

/** The endpoints of a cloud, before any per-endpoint override. */
export function cloudEndpoints(cloud: CloudName): CloudEndpoints {
  return CLOUD_TABLE[cloud];
}
