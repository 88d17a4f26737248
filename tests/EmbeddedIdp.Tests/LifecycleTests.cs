using System.Net;
using Microsoft.IdentityModel.JsonWebTokens;
using TestSupport;
using TestSupport.Conformance;

namespace EmbeddedIdp.Tests;

/// <summary>What EmbeddedIdp keeps across restarts, and what a short client lifespan does.</summary>
public sealed class LifecycleTests(LifecycleTests.ShortLivedTokensIdp fixture) : IClassFixture<LifecycleTests.ShortLivedTokensIdp>, IDisposable
{
    private readonly EmbeddedIdpFixture _idp = fixture.Idp;
    private readonly OAuthHttp _http = new(fixture.Idp);

    [Fact]
    public async Task Token_issued_before_a_restart_still_verifies_and_introspects_after_it()
    {
        var token = await _http.AccessTokenAsync("checkout-service");

        await _idp.RestartAsync(TestContext.Current.CancellationToken);

        var validation = await _http.ValidateAsync(token, "payments-api");
        var introspection = await _http.IntrospectAsync(token, "payments-api");
        Assert.True(validation.IsValid, validation.Exception?.Message);
        Assert.True(introspection.Json.GetProperty("active").GetBoolean());
        Assert.Equal(new JsonWebToken(token).Kid, new JsonWebToken(await _http.AccessTokenAsync("checkout-service")).Kid);
    }

    [Fact]
    public async Task Rotation_at_startup_signs_with_a_new_key_and_the_previous_one_keeps_verifying()
    {
        var before = await _http.AccessTokenAsync("checkout-service");

        await _idp.RotateSigningKeyOnRestartAsync(TestContext.Current.CancellationToken);
        var after = await _http.AccessTokenAsync("checkout-service");

        Assert.NotEqual(new JsonWebToken(before).Kid, new JsonWebToken(after).Kid);
        Assert.True((await _http.ValidateAsync(before, "payments-api")).IsValid);
        Assert.True((await _http.ValidateAsync(after, "payments-api")).IsValid);
    }

    [Fact]
    public async Task Client_lifespan_attribute_wins_over_the_realm_and_the_token_expires()
    {
        var response = await _http.TokenAsync("payments-service");
        var token = response.Json.GetProperty("access_token").GetString()!;
        Assert.Equal(1, response.Json.GetProperty("expires_in").GetInt32());

        // Bounded wait for the clock to pass "exp" (whole seconds), checked through introspection itself.
        var deadline = DateTimeOffset.UtcNow.AddSeconds(10);
        OAuthResult result;
        do
        {
            await Task.Delay(250, TestContext.Current.CancellationToken);
            result = await _http.IntrospectAsync(token, "billing-api");
        }
        while (result.Json.GetProperty("active").GetBoolean() && DateTimeOffset.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.False(result.Json.GetProperty("active").GetBoolean());
    }

    public void Dispose() => _http.Dispose();

    /// <summary>An EmbeddedIdp whose payments-service gets 1-second tokens, to watch one expire.</summary>
    public sealed class ShortLivedTokensIdp : IAsyncLifetime
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("embedded-idp-lifecycle-").FullName;

        public EmbeddedIdpFixture Idp { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            var realm = RealmLoaderTests.ModifiedRealm(_folder, r => RealmLoaderTests.Client(r, "payments-service")["attributes"]!["access.token.lifespan"] = "1");
            Idp = new EmbeddedIdpFixture { RealmPath = realm };
            await Idp.InitializeAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await Idp.DisposeAsync();
            Directory.Delete(_folder, recursive: true);
        }
    }
}
