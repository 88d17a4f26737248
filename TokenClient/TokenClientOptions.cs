using Microsoft.Extensions.Options;

namespace ServiceDefaults.TokenManagement;

/// <summary>How the client id and secret reach the token endpoint (RFC 6749 §2.3.1).</summary>
public enum ClientAuthentication
{
    /// <summary><c>client_secret_basic</c>: an HTTP Basic <c>Authorization</c> header (the default).</summary>
    Basic,

    /// <summary><c>client_secret_post</c>: <c>client_id</c> and <c>client_secret</c> in the form body.</summary>
    Post,
}

/// <summary>One named OAuth 2.0 client-credentials client, bound from <c>TokenClients:{name}</c>.</summary>
public sealed class TokenClientOptions
{
    public const string SectionName = "TokenClients";

    /// <summary>Issuer URL; the token endpoint is read from its discovery document. Set this or <see cref="TokenEndpoint"/>.</summary>
    public string? Authority { get; set; }

    /// <summary>Token endpoint URL, used as is. Set this or <see cref="Authority"/>.</summary>
    public string? TokenEndpoint { get; set; }

    public string ClientId { get; set; } = "";

    public string ClientSecret { get; set; } = "";

    /// <summary>Space-separated scopes requested when a caller names none; empty means the client's default scopes.</summary>
    public string? Scope { get; set; }

    public ClientAuthentication ClientAuthentication { get; set; } = ClientAuthentication.Basic;

    /// <summary>Whether the secret may only travel over https; unset means "yes, outside Development".</summary>
    public bool? RequireHttps { get; set; }

    internal bool HttpsRequired(bool isDevelopment) => RequireHttps ?? !isDevelopment;
}

/// <summary>Fails startup with messages that name the configuration key, never its value.</summary>
internal sealed class TokenClientOptionsValidator(bool isDevelopment) : IValidateOptions<TokenClientOptions>
{
    public ValidateOptionsResult Validate(string? name, TokenClientOptions options)
    {
        var prefix = $"{TokenClientOptions.SectionName}:{name}";
        var failures = new List<string>();

        var hasAuthority = !string.IsNullOrWhiteSpace(options.Authority);
        var hasTokenEndpoint = !string.IsNullOrWhiteSpace(options.TokenEndpoint);
        if (hasAuthority == hasTokenEndpoint)
        {
            failures.Add($"Set exactly one of {prefix}:Authority and {prefix}:TokenEndpoint.");
        }

        var httpsRequired = options.HttpsRequired(isDevelopment);
        foreach (var (key, value) in new[] { ("Authority", options.Authority), ("TokenEndpoint", options.TokenEndpoint) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            if (!Uri.TryCreate(value, UriKind.Absolute, out var url))
            {
                failures.Add($"{prefix}:{key} must be an absolute URL.");
            }
            else if (httpsRequired && url.Scheme != Uri.UriSchemeHttps)
            {
                failures.Add($"{prefix}:{key} must use https (or set {prefix}:RequireHttps to false for local development).");
            }
        }

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            failures.Add($"{prefix}:ClientId is required.");
        }

        if (string.IsNullOrWhiteSpace(options.ClientSecret))
        {
            failures.Add($"{prefix}:ClientSecret is required.");
        }

        if (!Enum.IsDefined(options.ClientAuthentication))
        {
            failures.Add($"{prefix}:ClientAuthentication must be Basic or Post.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
