// Escalation Desk on Azure, provisioned by `atk provision --env dev` (m365agents.yml, arm/deploy):
// a user-assigned managed identity that is the bot (MicrosoftAppType=UserAssignedMSI), the
// Azure Bot with its Teams channel, App Service on Linux running the bundle (`npm run bundle`),
// PostgreSQL flexible server signed in to with the identity (no password), and Key Vault for the
// one secret left, the Partner Center refresh token. No client secret exists anywhere.
// Outputs are written to env/.env.<environment> under their names (the Toolkit's convention).

@minLength(4)
@maxLength(20)
@description('Prefix of every resource name; the Toolkit passes desk + RESOURCE_SUFFIX.')
param resourceBaseName string

param location string = resourceGroup().location

@maxLength(42)
@description('The bot\'s name in Azure Bot.')
param botDisplayName string = 'Escalation Desk'

@description('App Service plan size. Always On needs Basic (B1) or higher; more than 3 instances need Standard or Premium.')
param appServiceSku string = 'B1'

@minValue(1)
@maxValue(30)
@description('App Service instances. Several are safe: state, leases and the outbox live in PostgreSQL.')
param instanceCount int = 1

@description('The Entra app whose single sign-on tokens the tab accepts (created by aadApp/create).')
param tabSsoClientId string

@description('The partner\'s own Entra tenant: its users may use the bot and the tab.')
param partnerTenantId string = tenant().tenantId

@description('Further partner tenants allowed to use the bot (comma-separated GUIDs), or empty.')
param allowedTenants string = ''

@allowed(['sandbox', 'graph'])
param healthSource string = 'sandbox'

@description('The multi-tenant app that reads customers\' service health (HEALTH_SOURCE=graph). It trusts the managed identity through a federated credential.')
param graphClientId string = ''

@allowed(['sandbox', 'partnercenter'])
param directorySource string = 'sandbox'

@allowed(['sandbox', 'manual', 'partnercenter'])
param supportSource string = 'sandbox'

@description('The app that calls Partner Center; empty = the Graph app. It trusts the managed identity through a federated credential.')
param partnerCenterClientId string = ''

@description('PostgreSQL flexible server compute: Burstable B1ms is enough for one partner desk.')
param postgresSkuName string = 'Standard_B1ms'

@allowed(['Burstable', 'GeneralPurpose', 'MemoryOptimized'])
param postgresSkuTier string = 'Burstable'

// The Toolkit leaves a placeholder in the parameters file as it is when its variable is empty.
var unset = '$'
var graphApp = startsWith(graphClientId, unset) ? '' : graphClientId
var partnerCenterApp = startsWith(partnerCenterClientId, unset) ? '' : partnerCenterClientId
var extraTenants = startsWith(allowedTenants, unset) ? '' : allowedTenants
var usesGraph = healthSource == 'graph'
var usesPartnerCenter = directorySource == 'partnercenter' || supportSource == 'partnercenter'
var databaseName = 'escalationdesk'
var refreshTokenSecretName = 'partner-center-refresh-token'
// Key Vault Secrets User: read secret values (an app setting's Key Vault reference).
var keyVaultSecretsUserRole = '4633458b-17de-408a-b874-0445c86b69e6'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${resourceBaseName}-id'
  location: location
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: '${resourceBaseName}-plan'
  location: location
  kind: 'linux'
  sku: {
    name: appServiceSku
    capacity: instanceCount
  }
  properties: {
    reserved: true
  }
}

resource site 'Microsoft.Web/sites@2023-12-01' = {
  name: resourceBaseName
  location: location
  kind: 'app,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references resolve with this identity (a site has no system identity here).
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'NODE|20-lts'
      // npm start's command line: the bundle runs as built, with the same V8 flag.
      appCommandLine: 'node --max-semi-space-size=4 dist/src/index.js'
      alwaysOn: true
      healthCheckPath: '/readyz'
      http20Enabled: true
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
  }
}

resource postgres 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' = {
  name: '${resourceBaseName}-pg'
  location: location
  sku: {
    name: postgresSkuName
    tier: postgresSkuTier
  }
  properties: {
    version: '16'
    storage: {
      storageSizeGB: 32
    }
    // Microsoft Entra sign-in only: there is no password to keep.
    authConfig: {
      activeDirectoryAuth: 'Enabled'
      passwordAuth: 'Disabled'
      tenantId: tenant().tenantId
    }
    backup: {
      backupRetentionDays: 7
      geoRedundantBackup: 'Disabled'
    }
    highAvailability: {
      mode: 'Disabled'
    }
  }
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2024-08-01' = {
  parent: postgres
  name: databaseName
  properties: {
    charset: 'UTF8'
    collation: 'en_US.utf8'
  }
}

// The app runs the schema migrations at start-up, so its identity administers the server
// (and signs in as the PostgreSQL role named after it).
module postgresAdministrator 'postgres-administrator.bicep' = {
  name: 'postgres-administrator'
  params: {
    serverName: postgres.name
    principalId: identity.properties.principalId
    principalName: identity.name
  }
  dependsOn: [database]
}

// 0.0.0.0 to 0.0.0.0 is Azure's rule for "Azure services": App Service's outbound addresses.
resource postgresFromAzure 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2024-08-01' = {
  parent: postgres
  name: 'AllowAzureServices'
  properties: {
    startIpAddress: '0.0.0.0'
    endIpAddress: '0.0.0.0'
  }
  dependsOn: [postgresAdministrator]
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: take('kv${uniqueString(resourceGroup().id, resourceBaseName)}', 24)
  location: location
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
  }
}

resource vaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, keyVaultSecretsUserRole)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUserRole)
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

// Every setting is one src/config/ reads (.env.example documents each); nothing here is a secret.
resource appSettings 'Microsoft.Web/sites/config@2023-12-01' = {
  parent: site
  name: 'appsettings'
  properties: union(
    {
      MicrosoftAppType: 'UserAssignedMSI'
      MicrosoftAppId: identity.properties.clientId
      MicrosoftAppTenantId: identity.properties.tenantId
      PUBLIC_HOSTNAME: site.properties.defaultHostName
      TAB_SSO_CLIENT_ID: tabSsoClientId
      PARTNER_TENANT_ID: partnerTenantId
      ALLOWED_TENANTS: extraTenants
      DATABASE_URL: 'postgres://${identity.name}@${postgres.properties.fullyQualifiedDomainName}:5432/${databaseName}?sslmode=verify-full'
      DATABASE_MANAGED_IDENTITY_ID: identity.properties.clientId
      HEALTH_SOURCE: healthSource
      DIRECTORY_SOURCE: directorySource
      SUPPORT_SOURCE: supportSource
      LOG_LEVEL: 'info'
    },
    usesGraph
      ? {
          GRAPH_CLIENT_ID: graphApp
          GRAPH_CLIENT_MANAGED_IDENTITY_ID: identity.properties.clientId
        }
      : {},
    usesPartnerCenter
      ? {
          PARTNER_CENTER_CLIENT_ID: empty(partnerCenterApp) ? graphApp : partnerCenterApp
          PARTNER_CENTER_CLIENT_MANAGED_IDENTITY_ID: identity.properties.clientId
        }
      : {},
    supportSource == 'partnercenter'
      ? {
          // Set the secret after provisioning (README, "Deploy to Azure"); the reference names its latest version.
          PARTNER_CENTER_REFRESH_TOKEN: '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=${refreshTokenSecretName})'
        }
      : {}
  )
  dependsOn: [vaultSecretsUser, postgresFromAzure]
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: resourceBaseName
  location: 'global'
  kind: 'azurebot'
  sku: {
    name: 'F0'
  }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${site.properties.defaultHostName}/api/messages'
    msaAppId: identity.properties.clientId
    msaAppMSIResourceId: identity.id
    msaAppTenantId: identity.properties.tenantId
    msaAppType: 'UserAssignedMSI'
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
    }
  }
}

// Written to env/.env.<environment> by arm/deploy; the deploy stage and the manifest use them.
output AZURE_APP_SERVICE_RESOURCE_ID string = site.id
output BOT_ID string = identity.properties.clientId
output BOT_TENANT_ID string = identity.properties.tenantId
output PUBLIC_HOSTNAME string = site.properties.defaultHostName
// For the federated credentials on the Graph and Partner Center apps (README, "Deploy to Azure").
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
output FEDERATED_CREDENTIAL_ISSUER string = '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
output KEY_VAULT_NAME string = vault.name
output POSTGRES_HOST string = postgres.properties.fullyQualifiedDomainName
