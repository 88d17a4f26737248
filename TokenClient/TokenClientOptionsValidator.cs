using Microsoft.Extensions.Options;

namespace TokenClient;

/// <summary>Fails startup with messages that name the configuration key, never its value.</summary>
internal sealed class TokenClientOptionsValidator(bool isDevelopment) : IValidateOptions<TokenClientOptions>
{
    public ValidateOptionsResult Validate(string? name, TokenClientOptions options)
    {
        var prefix = $"{TokenClientOptions.SectionName}:{name}";
        var failures = new List<string>();

        var hasAuthority = IsSet(options.Authority);
        var hasTokenEndpoint = IsSet(options.TokenEndpoint);
        if (hasAuthority == hasTokenEndpoint)
        {
            failures.Add($"Set exactly one of {prefix}:Authority and {prefix}:TokenEndpoint.");
        }

        if (options.RequireHttps == false && !isDevelopment)
        {
            failures.Add($"{prefix}:RequireHttps may be false only in Development: outside it, secrets and tokens travel over https only.");
        }

        var httpsRequired = options.HttpsRequired(isDevelopment);
        foreach (var (key, url) in new[] { ("Authority", options.Authority), ("TokenEndpoint", options.TokenEndpoint) })
        {
            if (!IsSet(url))
            {
                continue;
            }

            if (!url!.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttps && url.Scheme != Uri.UriSchemeHttp))
            {
                failures.Add($"{prefix}:{key} must be an absolute http(s) URL.");
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

    /// <summary>An empty setting (<c>TokenClient__billing__Authority=</c>) clears the value from another source.</summary>
    internal static bool IsSet(Uri? url) => !string.IsNullOrWhiteSpace(url?.OriginalString);
}
