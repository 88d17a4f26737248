using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace EmbeddedIdp.Realm;

/// <summary>
/// Reads a Keycloak realm export, resolves its <c>${ENV}</c> placeholders from configuration the way
/// Keycloak's <c>--import-realm</c> does, and builds the <see cref="RealmModel"/>. Whatever the file asks for
/// that EmbeddedIdp does not serve is logged once, never silently served differently.
/// </summary>
public static partial class RealmLoader
{
    private const string AudienceMapper = "oidc-audience-mapper";

    // Mappers whose claims EmbeddedIdp always emits (sub, client_id, preferred_username): recognized, not "unsupported".
    private static readonly HashSet<string> BuiltInClaimMappers =
        ["oidc-sub-mapper", "oidc-usersessionmodel-note-mapper", "oidc-usermodel-attribute-mapper", "oidc-usermodel-property-mapper"];

    // Realm settings that only matter to browser flows, the admin console or new clients: they change nothing here.
    private static readonly HashSet<string> IrrelevantRealmSettings =
        ["id", "displayName", "sslRequired", "registrationAllowed", "defaultDefaultClientScopes", "defaultOptionalClientScopes"];

    private const string LightweightAccessTokenAttribute = "client.use.lightweight.access.token.enabled";
    private const string StandardTokenExchangeAttribute = "standard.token.exchange.enabled";

    private static readonly HashSet<string> KnownClientAttributes =
        ["access.token.lifespan", LightweightAccessTokenAttribute, StandardTokenExchangeAttribute];

    public static RealmModel Load(string path, IConfiguration configuration, ILogger logger)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"Realm file '{Path.GetFullPath(path)}' not found (configuration key Realm:Path).");
        }

        var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new() { CommentHandling = JsonCommentHandling.Skip })
            ?? throw new InvalidOperationException($"Realm file '{path}' is empty.");

        var weakSecrets = WeakSecrets(root, configuration);
        var missing = new SortedSet<string>(StringComparer.Ordinal);
        ResolvePlaceholders(root, configuration, missing);
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"Realm file '{path}' needs the variable(s) {string.Join(", ", missing)}: set them in the environment or configuration.");
        }

        weakSecrets.AddRange(ShortSecrets(root));
        if (weakSecrets.Count > 0)
        {
            throw new InvalidOperationException($"Realm file '{path}': {string.Join(" ", weakSecrets)}");
        }

        var file = root.Deserialize<RealmFile>(RealmFile.JsonOptions)
            ?? throw new InvalidOperationException($"Realm file '{path}' is not a realm export.");

        return Build(
            file,
            feature => logger.LogWarning("Realm feature not served by EmbeddedIdp: {Feature}", feature),
            message => logger.LogWarning("{Message}", message));
    }

    /// <summary>Shortest client secret accepted, in characters (the AppHost generates 32; Keycloak's generated ones are 32).</summary>
    public const int MinSecretLength = 32;

    /// <summary>A secret written as <c>${VAR:default}</c> whose variable is unset would be the default that anyone can read in the file.</summary>
    private static List<string> WeakSecrets(JsonNode root, IConfiguration configuration)
    {
        var failures = new List<string>();
        foreach (var (clientId, secret) in ClientSecrets(root))
        {
            foreach (Match match in Placeholder().Matches(secret))
            {
                if (match.Groups["default"].Success && string.IsNullOrEmpty(configuration[match.Groups["name"].Value]))
                {
                    failures.Add($"the secret of client '{clientId}' would fall back to the default written in the file: set {match.Groups["name"].Value}.");
                }
            }
        }

        return failures;
    }

    private static IEnumerable<string> ShortSecrets(JsonNode root) =>
        ClientSecrets(root)
            .Where(client => client.Secret.Length is > 0 and < MinSecretLength)
            .Select(client => $"the secret of client '{client.ClientId}' is shorter than {MinSecretLength} characters.");

    private static IEnumerable<(string ClientId, string Secret)> ClientSecrets(JsonNode root) =>
        (root["clients"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(client => client["secret"] is JsonValue value && value.TryGetValue<string>(out _))
            .Select(client => ((string?)client["clientId"] ?? "?", (string)client["secret"]!));

    private static void ResolvePlaceholders(JsonNode node, IConfiguration configuration, ISet<string> missing)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj.ToList())
                {
                    if (child is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        obj[name] = Resolve(text, configuration, missing);
                    }
                    else if (child is not null)
                    {
                        ResolvePlaceholders(child, configuration, missing);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        array[i] = Resolve(text, configuration, missing);
                    }
                    else if (array[i] is { } child)
                    {
                        ResolvePlaceholders(child, configuration, missing);
                    }
                }

                break;
        }
    }

    /// <summary>Replaces <c>${NAME}</c> and <c>${NAME:default}</c> (Keycloak's forms) with configuration values.</summary>
    public static string Resolve(string text, IConfiguration configuration, ISet<string> missing) =>
        Placeholder().Replace(text, match =>
        {
            var name = match.Groups["name"].Value;
            var value = configuration[name];
            if (!string.IsNullOrEmpty(value))
            {
                return value;
            }

            if (match.Groups["default"].Success)
            {
                return match.Groups["default"].Value;
            }

            missing.Add(name);
            return match.Value;
        });

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_.]*)(?::(?<default>[^}]*))?\}")]
    private static partial Regex Placeholder();

    private static RealmModel Build(RealmFile file, Action<string> notServed, Action<string> warn)
    {
        if (string.IsNullOrWhiteSpace(file.Realm))
        {
            throw new InvalidOperationException("The realm file has no 'realm' name.");
        }

        if (file.Enabled is false)
        {
            throw new InvalidOperationException($"Realm '{file.Realm}' is disabled ('enabled': false).");
        }

        foreach (var setting in file.Other.Keys.Where(key => !IrrelevantRealmSettings.Contains(key)))
        {
            notServed($"realm setting '{setting}'");
        }

        if (file.DefaultSignatureAlgorithm is { } algorithm && algorithm != "RS256")
        {
            notServed($"defaultSignatureAlgorithm '{algorithm}' (tokens are signed with RS256)");
        }

        var assignedScopes = file.Clients.SelectMany(c => c.DefaultClientScopes.Concat(c.OptionalClientScopes)).ToHashSet(StringComparer.Ordinal);
        var scopes = new Dictionary<string, RealmScope>(StringComparer.Ordinal);
        foreach (var scope in file.ClientScopes)
        {
            if (string.IsNullOrWhiteSpace(scope.Name))
            {
                throw new InvalidOperationException("A client scope in the realm file has no name.");
            }

            scopes[scope.Name] = BuildScope(scope, assignedScopes.Contains(scope.Name), notServed);
        }

        var clients = new Dictionary<string, RealmClient>(StringComparer.Ordinal);
        foreach (var client in file.Clients)
        {
            if (BuildClient(client, file, scopes, notServed, warn) is { } built)
            {
                clients[built.ClientId] = built;
            }
        }

        if (file.Users.Any(u => u.ServiceAccountClientId is null))
        {
            notServed("users other than service accounts (only client credentials are served)");
        }

        return new RealmModel(file.Realm, TimeSpan.FromSeconds(file.AccessTokenLifespan ?? 300), clients, scopes);
    }

    private static RealmScope BuildScope(ClientScopeRepresentation scope, bool assigned, Action<string> notServed)
    {
        var audiences = new List<string>();
        foreach (var mapper in scope.ProtocolMappers)
        {
            if (mapper.ProtocolMapper == AudienceMapper && IsOn(mapper.Config, "access.token.claim"))
            {
                var audience = mapper.Config.GetValueOrDefault("included.client.audience") is { Length: > 0 } clientAudience
                    ? clientAudience
                    : mapper.Config.GetValueOrDefault("included.custom.audience");
                if (!string.IsNullOrEmpty(audience))
                {
                    audiences.Add(audience);
                }
            }
            else if (assigned && mapper.ProtocolMapper is { } type && type != AudienceMapper && !BuiltInClaimMappers.Contains(type))
            {
                notServed($"protocol mapper '{mapper.Name}' ({type}) of client scope '{scope.Name}'");
            }
        }

        if (scope.Protocol is { } protocol && protocol != "openid-connect")
        {
            notServed($"client scope '{scope.Name}' with protocol '{protocol}'");
        }

        return new RealmScope(scope.Name!, IsOn(scope.Attributes, "include.in.token.scope"), audiences);
    }

    private static RealmClient? BuildClient(
        ClientRepresentation client, RealmFile file, Dictionary<string, RealmScope> scopes, Action<string> notServed, Action<string> warn)
    {
        var id = client.ClientId ?? throw new InvalidOperationException("A client in the realm file has no clientId.");

        // Keycloak treats a missing publicClient as public: such a client is not served, never served as confidential.
        if (client.PublicClient is not false || client.BearerOnly is true)
        {
            notServed($"client '{id}': public or bearer-only clients (set publicClient and bearerOnly to false)");
            return null;
        }

        if (client.ClientAuthenticatorType is { } authenticator && authenticator != "client-secret")
        {
            notServed($"client '{id}': client authenticator '{authenticator}' (only client-secret)");
            return null;
        }

        if (string.IsNullOrEmpty(client.Secret))
        {
            throw new InvalidOperationException($"Client '{id}' in the realm file has no secret.");
        }

        if (client.Protocol is { } protocol && protocol != "openid-connect")
        {
            notServed($"client '{id}': protocol '{protocol}'");
            return null;
        }

        if (client.StandardFlowEnabled is not false || client.ImplicitFlowEnabled is true || client.DirectAccessGrantsEnabled is not false)
        {
            notServed($"client '{id}': browser/password flows (standardFlowEnabled, implicitFlowEnabled, directAccessGrantsEnabled)");
        }

        if (client.AuthorizationServicesEnabled is true)
        {
            notServed($"client '{id}': authorization services");
        }

        foreach (var mapper in client.ProtocolMappers)
        {
            notServed($"client '{id}': protocol mapper '{mapper.Name}' ({mapper.ProtocolMapper})");
        }

        foreach (var (name, value) in client.Attributes)
        {
            if (!KnownClientAttributes.Contains(name) && value == "true")
            {
                notServed($"client '{id}': attribute '{name}'");
            }
        }

        // Keycloak's import (RepresentationToModel.addClientScopeToClient) logs a warning and drops such a scope; so does this.
        foreach (var scope in client.DefaultClientScopes.Concat(client.OptionalClientScopes).Where(s => !scopes.ContainsKey(s)))
        {
            warn($"Referenced client scope '{scope}' doesn't exist. Ignoring (client '{id}')");
        }

        TimeSpan? lifespan = client.Attributes.TryGetValue("access.token.lifespan", out var seconds) && int.TryParse(seconds, out var lifespanSeconds) && lifespanSeconds > 0
            ? TimeSpan.FromSeconds(lifespanSeconds)
            : null;

        var user = file.Users.FirstOrDefault(u => u.ServiceAccountClientId == id);

        return new RealmClient(
            id,
            client.Secret,
            client.Enabled is not false,
            client.ServiceAccountsEnabled is true,
            user?.Id ?? StableUserId(file.Realm!, id),
            [.. client.DefaultClientScopes.Where(scopes.ContainsKey)],
            [.. client.OptionalClientScopes.Where(scopes.ContainsKey)],
            lifespan)
        {
            ServiceAccountUserEnabled = user?.Enabled is not false,
            LightweightAccessTokens = IsOn(client.Attributes, LightweightAccessTokenAttribute),
            StandardTokenExchangeEnabled = IsOn(client.Attributes, StandardTokenExchangeAttribute),
            WebOrigins = client.WebOrigins,
        };
    }

    private static bool IsOn(Dictionary<string, string> settings, string key) =>
        settings.TryGetValue(key, out var value) && string.Equals(value, "true", StringComparison.OrdinalIgnoreCase);

    // Keycloak assigns a random id on import; a stable one keeps `sub` unchanged across EmbeddedIdp restarts.
    private static string StableUserId(string realm, string clientId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{realm}/service-account-{clientId}"));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }
}
