using System.ComponentModel.DataAnnotations;

namespace ResourceServer;

/// <summary>
/// How a resource server validates the bearer tokens it receives. Bound from the <c>ResourceServer</c> section.
/// </summary>
public sealed class ResourceServerOptions
{
    public const string SectionName = "ResourceServer";

    /// <summary>The issuer URL; its <c>/.well-known/openid-configuration</c> gives the issuer and the signing keys.</summary>
    [Required]
    public Uri? Authority { get; set; }

    /// <summary>The audience this service accepts (exact, case-sensitive match against <c>aud</c>).</summary>
    [Required]
    public string Audience { get; set; } = "";

    /// <summary>Local JWT validation (the default) or introspection at the IdP (settings in <see cref="Introspection"/>).</summary>
    public TokenValidation TokenValidation { get; set; } = TokenValidation.Jwt;

    /// <summary>Introspection mode's client credentials and cache.</summary>
    public IntrospectionOptions Introspection { get; set; } = new();

    /// <summary>Issuers accepted besides the discovered one (the IdP reached under another host name).</summary>
    public string[] ValidIssuers { get; set; } = [];

    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest lifetime (<c>exp</c> − <c>iat</c>) accepted; the realm issues five minutes.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan MaxTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How often the issuer's signing keys are read again. A key withdrawn from the JWKS stops validating tokens
    /// within this interval (plus one JWKS request); keys not refreshed for twice this long are not used at all.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan KeyRefreshInterval { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Least time between two JWKS reads caused by tokens naming an unknown <c>kid</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan UnknownKeyRefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Whether the metadata must be fetched over HTTPS; unset means "yes, outside Development".</summary>
    public bool? RequireHttpsMetadata { get; set; }

    /// <summary>Longest token accepted, in characters; a longer one is rejected before it is parsed.</summary>
    [Range(1024, 64 * 1024)]
    public int MaxTokenSize { get; set; } = 8 * 1024;

    /// <summary>How many validated tokens are remembered; 0 switches the cache off.</summary>
    [Range(0, 1_000_000)]
    public int TokenCacheSize { get; set; } = 10_000;

    /// <summary>How long a validated token is remembered at most (never beyond its <c>exp</c>; all are forgotten when the keys change).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan TokenCacheDuration { get; set; } = TimeSpan.FromMinutes(1);
}
