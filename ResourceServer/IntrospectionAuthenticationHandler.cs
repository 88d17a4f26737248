using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ResourceServer;

/// <summary>
/// The bearer scheme of introspection mode: the token goes to <see cref="TokenIntrospector"/>, and the answers match JWT
/// mode's (no token: 401 <c>Bearer</c>; bad token: 401 <c>invalid_token</c>), plus 503 with <c>Retry-After</c> when
/// the IdP cannot be asked.
/// </summary>
internal sealed class IntrospectionAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TokenIntrospector introspector)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private const string Prefix = "Bearer ";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // As JwtBearer: only an Authorization header with the Bearer scheme carries a token; anything else is no token.
        string? authorization = Request.Headers.Authorization;
        if (authorization is null || !authorization.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var token = authorization[Prefix.Length..].Trim();
        if (token.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        return await introspector.IntrospectAsync(token, Context.RequestAborted) switch
        {
            // Each request gets its own identity: downstream code may add claims to it.
            IntrospectionOutcome.Accepted accepted =>
                AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(accepted.Identity.Clone()), Scheme.Name)),
            IntrospectionOutcome.Rejected rejected => AuthenticateResult.Fail(rejected.Reason),
            IntrospectionOutcome.Unavailable unavailable => AuthenticateResult.Fail(unavailable.Reason),
            var other => throw new InvalidOperationException($"Unknown introspection outcome {other}"),
        };
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        if (result.Failure is IdentityProviderUnavailableException)
        {
            await BearerChallenge.WriteIdentityProviderUnavailableAsync(Context);
            return;
        }

        await BearerChallenge.WriteUnauthorizedAsync(Context, result.Failure);
    }
}
