using System.Text.Json;
using System.Text.Json.Serialization;

namespace EmbeddedIdp.Realm;

/// <summary>
/// The subset of Keycloak's RealmRepresentation that EmbeddedIdp reads. Field names are Keycloak's own;
/// everything else in the file is reported by <see cref="RealmLoader"/> as not served.
/// </summary>
internal sealed class RealmFile
{
    public string? Realm { get; set; }
    public bool? Enabled { get; set; }
    public int? AccessTokenLifespan { get; set; }
    public string? DefaultSignatureAlgorithm { get; set; }
    public List<ClientRepresentation> Clients { get; set; } = [];
    public List<ClientScopeRepresentation> ClientScopes { get; set; } = [];
    public List<UserRepresentation> Users { get; set; } = [];

    [JsonExtensionData]
    public Dictionary<string, JsonElement> Other { get; set; } = [];

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };
}

internal sealed class ClientRepresentation
{
    public string? ClientId { get; set; }
    public bool? Enabled { get; set; }
    public string? Protocol { get; set; }
    public bool? PublicClient { get; set; }
    public bool? BearerOnly { get; set; }
    public bool? StandardFlowEnabled { get; set; }
    public bool? ImplicitFlowEnabled { get; set; }
    public bool? DirectAccessGrantsEnabled { get; set; }
    public bool? ServiceAccountsEnabled { get; set; }
    public bool? AuthorizationServicesEnabled { get; set; }
    public string? ClientAuthenticatorType { get; set; }
    public string? Secret { get; set; }
    public Dictionary<string, string> Attributes { get; set; } = [];
    public List<string> DefaultClientScopes { get; set; } = [];
    public List<string> OptionalClientScopes { get; set; } = [];
    public List<string> WebOrigins { get; set; } = [];
    public List<ProtocolMapperRepresentation> ProtocolMappers { get; set; } = [];
}

internal sealed class ClientScopeRepresentation
{
    public string? Name { get; set; }
    public string? Protocol { get; set; }
    public Dictionary<string, string> Attributes { get; set; } = [];
    public List<ProtocolMapperRepresentation> ProtocolMappers { get; set; } = [];
}

internal sealed class ProtocolMapperRepresentation
{
    public string? Name { get; set; }
    public string? ProtocolMapper { get; set; }
    public Dictionary<string, string> Config { get; set; } = [];
}

internal sealed class UserRepresentation
{
    public string? Id { get; set; }
    public string? Username { get; set; }
    public bool? Enabled { get; set; }
    public string? ServiceAccountClientId { get; set; }
}
