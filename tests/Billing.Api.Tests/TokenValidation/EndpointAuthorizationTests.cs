using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Billing.Api.Tests.Infrastructure;
using TestSupport;

namespace Billing.Api.Tests.TokenValidation;

/// <summary>Every endpoint against every kind of token the issue lists: RFC 6750 status, challenge and problem body.</summary>
[Collection(nameof(BillingApiCollection))]
public sealed class EndpointAuthorizationTests(BillingApiFixture fixture)
{
    public static readonly TheoryData<Endpoint> Endpoints = new(Enum.GetValues<Endpoint>());

    public static readonly MatrixTheoryData<Endpoint, BadToken> EndpointsAndBadTokens =
        new(Enum.GetValues<Endpoint>(), Enum.GetValues<BadToken>());

    [Theory, MemberData(nameof(Endpoints))]
    public async Task Request_without_token_gets_401_with_a_bare_Bearer_challenge(Endpoint endpoint)
    {
        using var response = await fixture.SendAsync(Requests.For(endpoint, fixture, authorization: null));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        var problem = await ProblemOf(response);
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.False(problem.TryGetProperty("error", out _));
    }

    [Theory, MemberData(nameof(Endpoints))]
    public async Task Valid_token_with_the_endpoint_scope_is_accepted(Endpoint endpoint)
    {
        var token = await fixture.Idp.GetAccessTokenAsync("payments-service", "billing:write", TestContext.Current.CancellationToken);

        using var response = await fixture.SendAsync(Requests.For(endpoint, fixture, "Bearer " + token));

        Assert.Equal(endpoint == Endpoint.CreateInvoice ? HttpStatusCode.Created : HttpStatusCode.OK, response.StatusCode);
    }

    [Theory, MemberData(nameof(Endpoints))]
    public async Task Token_without_the_endpoint_scope_gets_403_insufficient_scope_naming_it(Endpoint endpoint)
    {
        var scope = Requests.ScopeOf(endpoint);
        var otherScope = scope == "billing:read" ? "billing:write" : "billing:read";
        var token = TestTokens.Sign(TestTokens.Header(), TestTokens.Claims(fixture.Idp.Issuer, scope: otherScope));

        using var response = await fixture.SendAsync(Requests.For(endpoint, fixture, "Bearer " + token));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal($"Bearer error=\"insufficient_scope\", error_description=\"The token lacks a required scope\", scope=\"{scope}\"",
            response.Headers.WwwAuthenticate.ToString());
        var problem = await ProblemOf(response);
        Assert.Equal(403, problem.GetProperty("status").GetInt32());
        Assert.Equal("insufficient_scope", problem.GetProperty("error").GetString());
    }

    [Theory, MemberData(nameof(EndpointsAndBadTokens))]
    public async Task Bad_token_gets_401_invalid_token_with_its_reason(Endpoint endpoint, BadToken badToken)
    {
        var token = await BadTokens.MakeAsync(badToken, new EmbeddedIdpFixtureAccess(fixture));

        using var response = await fixture.SendAsync(Requests.For(endpoint, fixture, "Bearer " + token));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal($"Bearer error=\"invalid_token\", error_description=\"{BadTokens.ExpectedDescription(badToken)}\"",
            response.Headers.WwwAuthenticate.ToString());
        var problem = await ProblemOf(response);
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Equal("invalid_token", problem.GetProperty("error").GetString());
        Assert.Equal(BadTokens.ExpectedDescription(badToken), problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Real_token_with_only_the_default_read_scope_cannot_create_an_invoice()
    {
        var token = await fixture.Idp.GetAccessTokenAsync("payments-service", ct: TestContext.Current.CancellationToken);

        using var response = await fixture.SendAsync(Requests.For(Endpoint.CreateInvoice, fixture, "Bearer " + token));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("scope=\"billing:write\"", response.Headers.WwwAuthenticate.ToString());
    }

    private static async Task<JsonElement> ProblemOf(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
    }
}
