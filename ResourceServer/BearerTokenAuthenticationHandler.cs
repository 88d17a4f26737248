using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace ResourceServer;

/// <summary>
/// The handler of the JWT bearer scheme, on JwtBearer's options (authority, backchannel, validation parameters). Per
/// request JwtBearerHandler clones the validation parameters, raises its events and fills authentication properties;
/// this handler asks <see cref="ResourceServerTokenHandler"/> (cache first) and builds the ticket, nothing else. The
/// answers are JwtBearer's: no token is no result, a bad one fails with the reason the challenge reports.
/// </summary>
internal sealed class BearerTokenAuthenticationHandler(IOptionsMonitor<JwtBearerOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<JwtBearerOptions>(options, logger, encoder)
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

        // The token's place in the header, so a cache hit needs no copy of it.
        var value = authorization.AsSpan(Prefix.Length);
        var start = Prefix.Length + (value.Length - value.TrimStart().Length);
        var length = value.Trim().Length;
        if (length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        var parameters = Options.TokenValidationParameters;
        // The issuer and keys come from the configuration manager; set once, the same value for every request.
        if (parameters.ConfigurationManager is null && Options.ConfigurationManager is BaseConfigurationManager manager)
        {
            parameters.ConfigurationManager = manager;
        }

        if (Options.TokenHandlers[0] is ResourceServerTokenHandler cacheHolder && !Options.SaveToken
            && await cacheHolder.KeySetVersionAsync(parameters) is { } version
            && cacheHolder.TryGetCached(authorization.AsSpan(start, length), version, out var cached))
        {
            return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(cached.ClaimsIdentity), Scheme.Name));
        }

        var token = authorization.Substring(start, length);

        TokenValidationResult result;
        try
        {
            result = Options.TokenHandlers[0] is ResourceServerTokenHandler handler
                ? await handler.ValidateTokenAsync(token, parameters, cloneOnMiss: true)
                : await Options.TokenHandlers[0].ValidateTokenAsync(token, parameters.Clone());
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Anything that escapes validation is still the caller's bad token: a failed authentication, never a 500.
            return AuthenticateResult.Fail(exception);
        }

        if (!result.IsValid)
        {
            return AuthenticateResult.Fail(result.Exception ?? new SecurityTokenValidationException("The token is invalid"));
        }

        AuthenticationProperties? properties = null;
        if (Options.SaveToken)
        {
            properties = new AuthenticationProperties();
            properties.StoreTokens([new AuthenticationToken { Name = "access_token", Value = token }]);
        }

        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(result.ClaimsIdentity), properties, Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        await BearerChallenge.WriteUnauthorizedAsync(Context, result.Failure);
    }
}
