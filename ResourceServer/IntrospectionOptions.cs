using System.ComponentModel.DataAnnotations;

namespace ResourceServer;

/// <summary>
/// Settings of introspection mode (section <c>ResourceServer:Introspection</c>): this API's client credentials at the
/// IdP and how long answers are remembered.
/// </summary>
public sealed class IntrospectionOptions
{
    /// <summary>This API's client id at the IdP; unset, the <see cref="ResourceServerOptions.Audience"/> (Keycloak's convention).</summary>
    public string? ClientId { get; set; }

    /// <summary>This API's client secret (sent as <c>client_secret_basic</c>); required in introspection mode.</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>The introspection endpoint; unset, <c>introspection_endpoint</c> of the issuer's discovery document.</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>
    /// Longest time an active answer is reused (never past the token's <c>exp</c>): the delay before a revoked token
    /// stops working. <c>00:00:00</c> switches the cache off, and with it the sharing of one call between concurrent requests.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an inactive or rejected token is remembered, so a client retrying a bad token costs one call.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan InactiveCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long one introspection call may take before the request is answered 503.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:00:30")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);
}
