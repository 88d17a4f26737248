using System.ComponentModel.DataAnnotations;

namespace EmbeddedIdp;

/// <summary>Settings of section <c>EmbeddedIdp</c>.</summary>
public sealed class EmbeddedIdpOptions
{
    public const string Section = "EmbeddedIdp";

    /// <summary>Signing keys and the token database live here; relative paths are under the content root.</summary>
    [Required]
    public string DataPath { get; set; } = "data";

    /// <summary>
    /// A fixed issuer (e.g. <c>https://idp.example.com/realms/m2m</c>); required outside Development, where only its host
    /// (and loopback, for health probes) is served. Unset in Development, it follows the request's host, as Keycloak's dev mode does.
    /// </summary>
    [Url]
    public string? Issuer { get; set; }

    /// <summary>Token entries kept for introspection and revocation at most; the oldest go first (they then introspect inactive).</summary>
    [Range(1_000, 10_000_000)]
    public int MaxStoredTokens { get; set; } = 200_000;

    /// <summary>When true, startup creates a new active signing key; the previous one keeps verifying.</summary>
    public bool RotateSigningKey { get; set; }

    /// <summary>When true, access tokens are opaque references (validated by introspection only); Keycloak has no such mode.</summary>
    public bool OpaqueAccessTokens { get; set; }
}

/// <summary>Settings of section <c>Realm</c>.</summary>
public sealed class RealmOptions
{
    public const string Section = "Realm";

    /// <summary>The Keycloak realm export; relative paths are under the content root.</summary>
    [Required]
    public string Path { get; set; } = "../keycloak-realm/m2m-realm.json";
}
