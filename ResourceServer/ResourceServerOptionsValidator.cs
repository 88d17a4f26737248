using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ResourceServer;

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
