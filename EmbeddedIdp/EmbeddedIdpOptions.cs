using System.ComponentModel.DataAnnotations;

namespace EmbeddedIdp;

/// <summary>Settings of section <c>EmbeddedIdp</c>.</summary>
public sealed class EmbeddedIdpOptions
{
    public const string Section = "EmbeddedIdp";

    /// <summary>Signing keys and the token database live here; relative paths are under the content root.</summary>
    [Required]
    public string DataPath { get; set; } = "data";

    /// <summary>A fixed issuer (e.g. <c>http://localhost:8080/realms/m2m</c>); unset, it follows the request's host.</summary>
    [Url]
    public string? Issuer { get; set; }

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
