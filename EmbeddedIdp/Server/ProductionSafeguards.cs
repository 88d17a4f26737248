using Microsoft.Extensions.Options;

namespace EmbeddedIdp.Server;

/// <summary>
/// Outside Development the issuer must be pinned (<c>EmbeddedIdp:Issuer</c>): tokens and discovery then never depend
/// on the <c>Host</c> header a caller sends.
/// </summary>
public sealed class EmbeddedIdpOptionsValidator(IHostEnvironment environment) : IValidateOptions<EmbeddedIdpOptions>
{
    public ValidateOptionsResult Validate(string? name, EmbeddedIdpOptions options) =>
        string.IsNullOrWhiteSpace(options.Issuer) && !environment.IsDevelopment()
            ? ValidateOptionsResult.Fail($"{EmbeddedIdpOptions.Section}:Issuer is required outside Development (e.g. https://idp.example.com/realms/m2m).")
            : ValidateOptionsResult.Success;
}

/// <summary>
/// Outside Development, only the pinned issuer's host and loopback (health probes, the warm-up request) are served:
/// a request naming any other host is answered 400 before it reaches the IdP.
/// </summary>
public sealed class IssuerHostFilter(RequestDelegate next, IOptions<EmbeddedIdpOptions> options)
{
    private readonly string[] _allowed =
    [
        new Uri(options.Value.Issuer ?? throw new InvalidOperationException($"{EmbeddedIdpOptions.Section}:Issuer is required outside Development.")).Host,
        "localhost", "127.0.0.1", "[::1]",
    ];

    public Task InvokeAsync(HttpContext context)
    {
        var host = context.Request.Host.Host;
        if (_allowed.Any(allowed => string.Equals(allowed, host, StringComparison.OrdinalIgnoreCase)))
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return Task.CompletedTask;
    }
}
