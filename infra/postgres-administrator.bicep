// Makes a managed identity a Microsoft Entra administrator of a PostgreSQL flexible server.
// A module of its own: the administrator's name is the identity's principal id, which exists
// only once the identity does, and a resource name must be known when its deployment starts.

param serverName string
param principalId string
param principalName string

resource server 'Microsoft.DBforPostgreSQL/flexibleServers@2024-08-01' existing = {
  name: serverName
}

resource administrator 'Microsoft.DBforPostgreSQL/flexibleServers/administrators@2024-08-01' = {
  parent: server
  name: principalId
  properties: {
    principalName: principalName
    principalType: 'ServicePrincipal'
    tenantId: tenant().tenantId
  }
}
