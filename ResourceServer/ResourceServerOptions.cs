using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ServiceDefaults.Authentication;

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

    /// <summary>Issuers accepted besides the discovered one (the IdP reached under another host name).</summary>
    public string[] ValidIssuers { get; set; } = [];

    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Whether the metadata must be fetched over HTTPS; unset means "yes, outside Development".</summary>
    public bool? RequireHttpsMetadata { get; set; }

    /// <summary>Longest token accepted, in characters; a longer one is rejected before it is parsed.</summary>
    [Range(1024, 64 * 1024)]
    public int MaxTokenSize { get; set; } = 8 * 1024;

    /// <summary>How many validated tokens are remembered until they expire; 0 switches the cache off.</summary>
    [Range(0, 1_000_000)]
    public int TokenCacheSize { get; set; } = 10_000;
}

/// <summary>Checks the rules data annotations cannot express, naming the offending key.</summary>
internal sealed class ResourceServerOptionsValidator(IHostEnvironment environment) : IValidateOptions<ResourceServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ResourceServerOptions options)
    {
        const string Section = ResourceServerOptions.SectionName;
        var failures = new List<string>();

        if (options.Authority is { } authority)
        {
            if (!authority.IsAbsoluteUri || (authority.Scheme != Uri.UriSchemeHttps && authority.Scheme != Uri.UriSchemeHttp))
            {
                failures.Add($"{Section}:Authority must be an absolute http(s) URL.");
            }
            else if (authority.Scheme != Uri.UriSchemeHttps && (options.RequireHttpsMetadata ?? !environment.IsDevelopment()))
            {
                failures.Add($"{Section}:Authority must use https (or set {Section}:RequireHttpsMetadata to false for local development).");
            }
        }

        if (options.Audience.Length > 0 && options.Audience.Trim() != options.Audience)
        {
            failures.Add($"{Section}:Audience must not start or end with white space.");
        }

        foreach (var issuer in options.ValidIssuers)
        {
            if (!Uri.TryCreate(issuer, UriKind.Absolute, out _))
            {
                failures.Add($"{Section}:ValidIssuers must hold absolute URLs; '{issuer}' is not one.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
