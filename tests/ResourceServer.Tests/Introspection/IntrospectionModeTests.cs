using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ResourceServer.Tests.Infrastructure;
using TestSupport;
using TestSupport.Conformance;

namespace ResourceServer.Tests.Introspection;

/// <summary>
/// Introspection mode against a real EmbeddedIdp: the same answers as JWT mode for the same tokens (issuer, exact
/// audience, scope), and what only introspection can see (a revoked token).
/// </summary>
public sealed class IntrospectionModeTests(IntrospectionModeTests.Fixture fixture) : IClassFixture<IntrospectionModeTests.Fixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Token_with_the_endpoints_scope_is_accepted_and_the_endpoint_sees_its_client()
    {
        var token = await fixture.Idp.GetAccessTokenAsync("payments-service", "billing:write", Ct);

        using var read = await fixture.SendAsync(Resource.Read("Bearer " + token));
        using var write = await fixture.SendAsync(Resource.Write("Bearer " + token));

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(HttpStatusCode.OK, write.StatusCode);
        Assert.Equal("payments-service", await write.Content.ReadFromJsonAsync<string>(Ct));
    }

    [Fact]
    public async Task Token_without_the_endpoints_scope_gets_403_insufficient_scope()
    {
        var token = await fixture.Idp.GetAccessTokenAsync("payments-service", ct: Ct);

        using var response = await fixture.SendAsync(Resource.Write("Bearer " + token));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("error=\"insufficient_scope\"", response.Headers.WwwAuthenticate.ToString());
        Assert.Contains("scope=\"billing:write\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Token_for_another_API_gets_401_invalid_token()
    {
        // checkout-service's token is for payments-api: the IdP tells billing-api it is not active for it.
        var token = await fixture.Idp.GetAccessTokenAsync("checkout-service", ct: Ct);

        using var response = await fixture.SendAsync(Resource.Read("Bearer " + token));

        await AssertInvalidToken(response, "The token is not active");
    }

    [Fact]
    public async Task Request_without_a_token_gets_a_bare_Bearer_challenge()
    {
        using var response = await fixture.SendAsync(Resource.Read(null));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Token_that_is_not_bearer_token_syntax_is_rejected_without_asking_the_IdP()
    {
        var before = fixture.Idp.IntrospectionRequestCount;

        using var response = await fixture.SendAsync(Resource.Read("Bearer not a token"));

        await AssertInvalidToken(response, "The token is malformed");
        Assert.Equal(before, fixture.Idp.IntrospectionRequestCount);
    }

    [Fact]
    public async Task Revoked_token_is_rejected_once_no_cached_answer_covers_it()
    {
        using var http = new OAuthHttp(fixture.Idp);
        var token = await fixture.Idp.GetAccessTokenAsync("payments-service", ct: Ct);

        var revoke = await http.RevokeAsync(token, "payments-service");
        using var response = await fixture.SendAsync(Resource.Read("Bearer " + token));

        Assert.Equal(HttpStatusCode.OK, revoke.Status);
        await AssertInvalidToken(response, "The token is not active");
    }

    [Fact]
    public async Task Rejection_is_logged_with_reason_and_client_but_never_the_token()
    {
        var token = await fixture.Idp.GetAccessTokenAsync("checkout-service", ct: Ct);

        using var response = await fixture.SendAsync(Resource.Read("Bearer " + token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var logs = fixture.Host.Logs.GetSnapshot();
        Assert.Contains(logs, log => log.Level == LogLevel.Information && log.Message.Contains("rejected by introspection: The token is not active", StringComparison.Ordinal));
        Assert.DoesNotContain(logs, log => log.Message.Contains(token, StringComparison.Ordinal) || (log.Exception?.ToString().Contains(token, StringComparison.Ordinal) ?? false));
    }

    internal static async Task AssertInvalidToken(HttpResponseMessage response, string description)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal($"Bearer error=\"invalid_token\", error_description=\"{description}\"", response.Headers.WwwAuthenticate.ToString());
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Equal("invalid_token", problem.GetProperty("error").GetString());
    }

    /// <summary>One EmbeddedIdp and one resource server in introspection mode for the class.</summary>
    public sealed class Fixture : IAsyncLifetime
    {
        public EmbeddedIdpFixture Idp { get; } = new();

        public ResourceServerHost Host { get; private set; } = null!;

        public async ValueTask InitializeAsync()
        {
            await Idp.InitializeAsync();
            Host = await ResourceServerHost.StartAsync(Idp.Issuer, IntrospectionSettings.For(Idp));
        }

        public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
        {
            using (request)
            {
                using var client = Host.CreateClient();
                return await client.SendAsync(request, Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Host is not null)
            {
                await Host.DisposeAsync();
            }

            await Idp.DisposeAsync();
        }
    }
}
