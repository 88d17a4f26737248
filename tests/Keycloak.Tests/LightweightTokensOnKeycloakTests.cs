using System.Net;
using Billing.Api.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Keycloak.Tests;

/// <summary>The realm's lightweight-token switch on (<c>LIGHTWEIGHT_ACCESS_TOKENS=true</c>), in a Keycloak of its own.</summary>
public sealed class LightweightTokensOnKeycloakTests(LightweightTokensOnKeycloakTests.LightweightKeycloak fixture)
    : IClassFixture<LightweightTokensOnKeycloakTests.LightweightKeycloak>
{
    private readonly KeycloakFixture _keycloak = fixture.Keycloak.RunningOrSkip();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Lightweight_token_has_no_audience_and_no_client_id_but_its_scope()
    {
        var token = new JsonWebToken(await _keycloak.GetAccessTokenAsync("payments-service", "billing:write", Ct));

        Assert.False(token.TryGetPayloadValue<object>("aud", out _), "a lightweight token carries no aud");
        Assert.False(token.TryGetPayloadValue<string>("client_id", out _), "a lightweight token carries no client_id");
        Assert.Equal("payments-service", token.GetPayloadValue<string>("azp"));
        Assert.Contains("billing:write", token.GetPayloadValue<string>("scope").Split(' '));
    }

    [Fact]
    public async Task Lightweight_token_is_refused_in_JWT_mode_and_accepted_in_introspection_mode()
    {
        var token = await _keycloak.GetAccessTokenAsync("payments-service", ct: Ct);
        await using var jwtMode = new BillingApiFactory(_keycloak.Issuer);
        await using var introspectionMode = new BillingApiFactory(_keycloak.Issuer);
        await using var introspecting = introspectionMode.WithWebHostBuilder(builder => builder
            .UseSetting("ResourceServer:TokenValidation", "Introspection")
            .UseSetting("ResourceServer:Introspection:ClientSecret", _keycloak.SecretOf("billing-api")));
        var path = $"/invoices?paymentId=pay-{Guid.NewGuid()}";

        using var jwtClient = jwtMode.CreateClient();
        using var refused = await jwtClient.SendAsync(Requests.Get(path, token), Ct);
        using var introspectionClient = introspecting.CreateClient();
        using var accepted = await introspectionClient.SendAsync(Requests.Get(path, token), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    public sealed class LightweightKeycloak : IAsyncLifetime
    {
        public KeycloakFixture Keycloak { get; } = new() { Environment = new Dictionary<string, string> { ["LIGHTWEIGHT_ACCESS_TOKENS"] = "true" } };

        public ValueTask InitializeAsync() => Keycloak.InitializeAsync();

        public ValueTask DisposeAsync() => Keycloak.DisposeAsync();
    }
}
