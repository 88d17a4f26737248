using System.ComponentModel.DataAnnotations;
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

        // ValidateDataAnnotations does not look into nested objects.
        var ranges = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options.Introspection, new ValidationContext(options.Introspection), ranges, validateAllProperties: true))
        {
            failures.AddRange(ranges.Select(r => $"{Section}:Introspection:{string.Join(',', r.MemberNames)}: {r.ErrorMessage}"));
        }

        if (options.TokenValidation == TokenValidation.Introspection)
        {
            ValidateIntrospection(options, failures);
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void ValidateIntrospection(ResourceServerOptions options, List<string> failures)
    {
        const string Section = ResourceServerOptions.SectionName + ":Introspection";
        var introspection = options.Introspection;
        if (string.IsNullOrEmpty(introspection.ClientSecret))
        {
            failures.Add($"{Section}:ClientSecret is required when {ResourceServerOptions.SectionName}:TokenValidation is Introspection.");
        }

        if (introspection.ClientId is { } clientId && (clientId.Length == 0 || clientId.Trim() != clientId))
        {
            failures.Add($"{Section}:ClientId must not be empty or start or end with white space.");
        }

        if (introspection.Endpoint is { } endpoint)
        {
            if (!endpoint.IsAbsoluteUri || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp))
            {
                failures.Add($"{Section}:Endpoint must be an absolute http(s) URL.");
            }
            else if (endpoint.Scheme != Uri.UriSchemeHttps && (options.RequireHttpsMetadata ?? !environment.IsDevelopment()))
            {
                // The client secret and every token travel to this endpoint.
                failures.Add($"{Section}:Endpoint must use https (or set {ResourceServerOptions.SectionName}:RequireHttpsMetadata to false for local development).");
            }
        }
    }
}
