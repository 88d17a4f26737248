using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;

namespace TokenClient.Tests;

/// <summary>The token client against a real EmbeddedIdp over HTTP: discovery, one token request per scope set, the IdP's errors.</summary>
public sealed class RealIdpTests(EmbeddedIdpFixture idp) : IClassFixture<EmbeddedIdpFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Thousand_concurrent_token_requests_for_two_scope_sets_cause_two_token_requests()
    {
        await using var services = TokenClientFor(idp.SecretOf("payments-service"));
        var tokens = services.GetRequiredService<ClientCredentialsTokenManager>();
        idp.ResetTokenRequestCount();

        var results = await Task.WhenAll(Enumerable.Range(0, 1000)
            .Select(i => Task.Run(() => tokens.GetTokenAsync("billing", i % 2 == 0 ? "billing:read" : "billing:write", Ct), Ct)))
            .WaitAsync(Timeout, Ct);

        Assert.Equal(2, idp.TokenRequestCount);
        Assert.Equal(2, results.Select(token => token.Value).Distinct().Count());
    }

    [Fact]
    public async Task Wrong_client_secret_fails_with_the_idps_error_naming_the_client_but_not_the_secret()
    {
        await using var services = TokenClientFor("not-the-secret");
        var tokens = services.GetRequiredService<ClientCredentialsTokenManager>();

        var error = await Assert.ThrowsAsync<TokenAcquisitionException>(() => tokens.GetTokenAsync("billing", cancellationToken: Ct));

        Assert.True(error.IsCredentialsRejected);
        Assert.Equal("unauthorized_client", error.Error);
        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.Contains("'billing'", error.Message);
        Assert.DoesNotContain("not-the-secret", error.Message);
    }

    /// <summary>Token client <c>billing</c> as Payments.Api configures it, discovering the token endpoint from the issuer.</summary>
    private ServiceProvider TokenClientFor(string secret)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TokenClient:billing:Authority"] = idp.Issuer,
            ["TokenClient:billing:ClientId"] = "payments-service",
            ["TokenClient:billing:ClientSecret"] = secret,
            ["TokenClient:billing:RequireHttps"] = "false",
        }).Build());
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostEnvironment>(new DevelopmentEnvironment());
        services.AddLogging();
        services.AddMetrics();
        services.AddTokenClient("billing");
        return services.BuildServiceProvider();
    }
}
