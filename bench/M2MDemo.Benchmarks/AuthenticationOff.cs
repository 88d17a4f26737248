using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using TokenClient;

namespace M2MDemo.Benchmarks;

/// <summary>
/// The baseline of measurements 2 and 5: the same service with no token validated and none sent, so the ratio shows
/// what authentication costs. Exists only in the bench; a deployed service has no way to switch authentication off.
/// </summary>
internal sealed class AuthenticationOff : IPolicyEvaluator
{
    public static void Apply(IServiceCollection services)
    {
        // Registered last, so it replaces the authorization middleware's evaluator: every endpoint admits anonymous callers.
        services.AddSingleton<IPolicyEvaluator, AuthenticationOff>();
        // Registered last, so it runs after AddTokenClient's handler was added: every HttpClient sends its requests without a token.
        services.ConfigureAll<HttpClientFactoryOptions>(options => options.HttpMessageHandlerBuilderActions.Add(handlers =>
        {
            foreach (var tokenHandler in handlers.AdditionalHandlers.OfType<ClientCredentialsTokenHandler>().ToList())
            {
                handlers.AdditionalHandlers.Remove(tokenHandler);
            }
        }));
    }

    // Data belongs to the client that created it, so the unauthenticated variant acts as the client whose tokens the
    // authenticated variants carry (payments-service): both read and write the same rows.
    private static readonly AuthenticateResult BenchCaller = AuthenticateResult.Success(new AuthenticationTicket(
        new ClaimsPrincipal(new ClaimsIdentity([new Claim("client_id", "payments-service"), new Claim("azp", "payments-service")], "bench")),
        "bench"));

    public Task<AuthenticateResult> AuthenticateAsync(AuthorizationPolicy policy, HttpContext context) => Task.FromResult(BenchCaller);

    public Task<PolicyAuthorizationResult> AuthorizeAsync(
        AuthorizationPolicy policy, AuthenticateResult authenticationResult, HttpContext context, object? resource) =>
        Task.FromResult(PolicyAuthorizationResult.Success());
}
