// The three private DNS zones the registry endpoints register in (amlregistry, blob, registry),
// each linked to the given VNets (no auto-registration). Used when createPrivateDnsZones is true;
// otherwise main.bicep takes the ids of existing zones (e.g. a landing zone's).
param tags object
@description('[api.azureml, blob, acr], in that order')
param zoneNames array
@description('VNets to link to every zone (lower-cased, unique)')
param virtualNetworkIds array

module zones 'dns-zone.bicep' = [for (zone, i) in zoneNames: {
  name: 'private-dns-zone-${i}'
  params: {
    tags: tags
    zoneName: zone
    virtualNetworkIds: virtualNetworkIds
  }
}]

output zoneIds array = [for (zone, i) in zoneNames: zones[i].outputs.id]
