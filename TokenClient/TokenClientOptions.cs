namespace TokenClient;

/// <summary>One named OAuth 2.0 client-credentials client, bound from <c>TokenClient:{name}</c>.</summary>
public sealed class TokenClientOptions
{
    public const string SectionName = "TokenClient";

    /// <summary>Issuer URL; the token endpoint is read from its discovery document. Set this or <see cref="TokenEndpoint"/>.</summary>
    public Uri? Authority { get; set; }

    /// <summary>Token endpoint URL, used as is. Set this or <see cref="Authority"/>.</summary>
    public Uri? TokenEndpoint { get; set; }

    public string ClientId { get; set; } = "";

    public string ClientSecret { get; set; } = "";

    /// <summary>Space-separated scopes requested when a caller names none; empty means the client's default scopes.</summary>
    public string? Scope { get; set; }

    public ClientAuthentication ClientAuthentication { get; set; } = ClientAuthentication.Basic;

    /// <summary>
    /// Whether the secret and the tokens may only travel over https; unset means "yes, outside Development".
    /// <c>false</c> is accepted in Development only.
    /// </summary>
    public bool? RequireHttps { get; set; }

    internal bool HttpsRequired(bool isDevelopment) => RequireHttps ?? !isDevelopment;
}
