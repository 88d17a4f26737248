using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;

namespace TokenClient.Tests;

/// <summary>The exchange cache: per caller token, until the earlier expiry, one exchange in flight per caller token.</summary>
public sealed class TokenExchangeCacheTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly TokenManagerHarness _harness = new();

    private StubTokenEndpoint Endpoint => _harness.Endpoint;

    private TokenExchangeManager Exchanges => _harness.Services.GetRequiredService<TokenExchangeManager>();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    /// <summary>A caller token shaped like a JWT whose only meaningful claim here is <c>exp</c>.</summary>
    private string CallerToken(TimeSpan validFor, string name = "caller") =>
        "eyJhbGciOiJSUzI1NiJ9."
        + Base64UrlEncoder.Encode(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["sub"] = name,
            ["exp"] = (_harness.Time.GetUtcNow() + validFor).ToUnixTimeSeconds(),
        }))
        + ".c2lnbmF0dXJl";

    private Task<AccessToken> ExchangeAsync(string subject, string scope = "billing:write") =>
        Exchanges.ExchangeAsync(TokenManagerHarness.Client, subject, scope, "billing-api", Ct);

    [Fact]
    public async Task Exchange_request_carries_the_rfc_8693_parameters_and_the_clients_own_credentials()
    {
        var subject = CallerToken(TimeSpan.FromMinutes(5));

        await ExchangeAsync(subject);

        var form = System.Web.HttpUtility.ParseQueryString(Endpoint.LastBody!);
        Assert.Equal(TokenExchange.GrantType, form["grant_type"]);
        Assert.Equal(subject, form["subject_token"]);
        Assert.Equal(TokenExchange.AccessTokenType, form["subject_token_type"]);
        Assert.Equal(TokenExchange.AccessTokenType, form["requested_token_type"]);
        Assert.Equal("billing:write", form["scope"]);
        Assert.Equal("billing-api", form["audience"]);
        Assert.Equal("Basic", Endpoint.LastRequest!.Headers.Authorization!.Scheme);
    }

    [Fact]
    public async Task Same_caller_token_reuses_the_exchanged_token_until_its_refresh_point()
    {
        var subject = CallerToken(TimeSpan.FromMinutes(30));

        var first = await ExchangeAsync(subject);
        _harness.Time.Advance(TimeSpan.FromSeconds(239));
        var second = await ExchangeAsync(subject);
        _harness.Time.Advance(TimeSpan.FromSeconds(1));
        var third = await ExchangeAsync(subject);

        Assert.Equal(first.Value, second.Value);
        Assert.NotEqual(first.Value, third.Value);
        Assert.Equal(2, Endpoint.RequestCount);
    }

    [Fact]
    public async Task Exchanged_token_is_not_used_past_the_callers_own_expiry()
    {
        // The caller's token lapses after 60 s, the exchanged one would live 300 s: the caller's expiry wins.
        var subject = CallerToken(TimeSpan.FromSeconds(60));

        var first = await ExchangeAsync(subject);
        _harness.Time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(first.Value, (await ExchangeAsync(subject)).Value);
        _harness.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.NotEqual(first.Value, (await ExchangeAsync(subject)).Value);
        Assert.Equal(2, Endpoint.RequestCount);
    }

    [Fact]
    public async Task Different_callers_and_scopes_never_share_a_token()
    {
        var alice = CallerToken(TimeSpan.FromMinutes(5), "alice");
        var bob = CallerToken(TimeSpan.FromMinutes(5), "bob");

        var tokens = new[]
        {
            await ExchangeAsync(alice), await ExchangeAsync(bob), await ExchangeAsync(alice, "billing:read"), await ExchangeAsync(alice),
        };

        Assert.Equal(3, tokens.Select(t => t.Value).Distinct().Count());
        Assert.Equal(tokens[0].Value, tokens[3].Value);
        Assert.Equal(3, Endpoint.RequestCount);
    }

    [Fact]
    public async Task Concurrent_requests_for_one_caller_token_share_one_exchange()
    {
        var subject = CallerToken(TimeSpan.FromMinutes(5));
        var other = CallerToken(TimeSpan.FromMinutes(5), "other");
        Endpoint.Hold();

        var waiting = Enumerable.Range(0, 100).Select(i => ExchangeAsync(i % 2 == 0 ? subject : other)).ToList();
        await Endpoint.FirstRequestReceived.Task.WaitAsync(Timeout, Ct);
        Endpoint.Release();
        var tokens = await Task.WhenAll(waiting).WaitAsync(Timeout, Ct);

        Assert.Equal(2, Endpoint.RequestCount);
        Assert.Equal(2, tokens.Select(t => t.Value).Distinct().Count());
    }

    [Fact]
    public async Task Caller_token_without_a_readable_expiry_is_exchanged_every_time()
    {
        await ExchangeAsync("opaque-reference-token");
        await ExchangeAsync("opaque-reference-token");

        Assert.Equal(2, Endpoint.RequestCount);
    }

    [Fact]
    public async Task Refused_exchange_surfaces_the_idps_error_and_is_not_cached()
    {
        var subject = CallerToken(TimeSpan.FromMinutes(5));
        Endpoint.Failure = (HttpStatusCode.Forbidden, "access_denied", "Client is not within the token audience");

        var error = await Assert.ThrowsAsync<TokenAcquisitionException>(() => ExchangeAsync(subject));
        Endpoint.Failure = null;
        await ExchangeAsync(subject);

        Assert.Equal("access_denied", error.Error);
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        Assert.DoesNotContain(subject, error.Message, StringComparison.Ordinal);
        Assert.Equal(2, Endpoint.RequestCount);
    }

    [Fact]
    public void Cache_key_names_the_caller_token_by_hash_only()
    {
        var subject = CallerToken(TimeSpan.FromMinutes(5));

        var key = Exchanges.CacheKey(TokenManagerHarness.Client, subject, "billing:write billing:read", "billing-api");

        Assert.DoesNotContain(subject, key, StringComparison.Ordinal);
        Assert.Contains("billing:read billing:write", key, StringComparison.Ordinal);
    }
}
