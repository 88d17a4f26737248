using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;
using ResourceServer.Tests.Infrastructure;
using TestSupport;

namespace ResourceServer.Tests;

/// <summary>The cache only ever answers for the exact bytes that passed validation, and only until exp.</summary>
public sealed class ValidatedTokenCacheTests : IDisposable
{
    private const string Issuer = "http://idp.test/realms/m2m";
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly ValidatedTokenCache _cache;
    private readonly ResourceServerTokenHandler _handler;

    public ValidatedTokenCacheTests()
    {
        _cache = new ValidatedTokenCache(100, TimeSpan.FromMinutes(5), _time);
        _handler = new ResourceServerTokenHandler(new ResourceServerOptions(), _cache, _time, NullLogger.Instance);
    }

    [Fact]
    public async Task Valid_token_is_answered_from_the_cache_with_a_fresh_identity()
    {
        var token = TestTokens.Sign(TestTokens.Header(), TestTokens.Claims(Issuer));

        var first = await _handler.ValidateTokenAsync(token, Parameters());
        Assert.True(first.IsValid, first.Exception?.ToString());
        Assert.True(_cache.TryGet(ValidatedTokenCache.KeyOf(token), 0, out _));

        // Parameters that would reject it now prove the second answer came from the cache.
        var second = await _handler.ValidateTokenAsync(token, Parameters(audience: "someone-else"));
        Assert.True(second.IsValid);
        Assert.NotSame(first.ClaimsIdentity, second.ClaimsIdentity);
        Assert.Equal("payments-service", second.ClaimsIdentity.FindFirst("client_id")?.Value);
    }

    [Fact]
    public async Task Tampered_variants_of_a_cached_token_never_hit_the_cache()
    {
        var token = TestTokens.Sign(TestTokens.Header(), TestTokens.Claims(Issuer, scope: "billing:read"));
        Assert.True((await _handler.ValidateTokenAsync(token, Parameters())).IsValid);

        var parts = token.Split('.');
        var tampered = new[]
        {
            TestTokens.WithPayload(token, payload =>
            {
                payload["scope"] = System.Text.Json.JsonSerializer.SerializeToElement("billing:read billing:write");
                return payload;
            }),
            parts[0] + "." + parts[1] + "." + (parts[2][0] == 'A' ? 'B' : 'A') + parts[2][1..],
            TestTokens.Encode(TestTokens.Header(typ: "at+jwt")) + "." + parts[1] + "." + parts[2],
            parts[0] + "." + parts[1] + ".",
        };

        foreach (var variant in tampered)
        {
            Assert.False(_cache.TryGet(ValidatedTokenCache.KeyOf(variant), 0, out _));
            var result = await _handler.ValidateTokenAsync(variant, Parameters());
            Assert.False(result.IsValid);
            Assert.IsType<SecurityTokenInvalidSignatureException>(result.Exception, exactMatch: false);
        }
    }

    [Fact]
    public async Task Rejected_token_is_not_cached()
    {
        var token = TestTokens.Sign(TestTokens.Header(), TestTokens.Claims(Issuer));

        Assert.False((await _handler.ValidateTokenAsync(token, Parameters(audience: "someone-else"))).IsValid);

        Assert.False(_cache.TryGet(ValidatedTokenCache.KeyOf(token), 0, out _));
    }

    [Fact]
    public async Task Cached_token_is_forgotten_at_its_exp()
    {
        var claims = TestTokens.Claims(Issuer);
        claims["exp"] = _time.GetUtcNow().AddSeconds(60).ToUnixTimeSeconds();
        var token = TestTokens.Sign(TestTokens.Header(), claims);
        Assert.True((await _handler.ValidateTokenAsync(token, Parameters())).IsValid);

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.True(_cache.TryGet(ValidatedTokenCache.KeyOf(token), 0, out _));

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(_cache.TryGet(ValidatedTokenCache.KeyOf(token), 0, out _));
    }

    [Fact]
    public async Task Cached_token_is_forgotten_after_the_cache_duration_even_when_exp_is_later()
    {
        using var cache = new ValidatedTokenCache(100, TimeSpan.FromSeconds(30), _time);
        var handler = new ResourceServerTokenHandler(new ResourceServerOptions(), cache, _time, NullLogger.Instance);
        var token = TestTokens.Sign(TestTokens.Header(), TestTokens.Claims(Issuer));
        Assert.True((await handler.ValidateTokenAsync(token, Parameters())).IsValid);

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.True(cache.TryGet(ValidatedTokenCache.KeyOf(token), 0, out _));

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(cache.TryGet(ValidatedTokenCache.KeyOf(token), 0, out _));
    }

    [Fact]
    public async Task Cached_token_is_not_a_hit_under_another_key_set_nor_after_a_clear()
    {
        var token = TestTokens.Sign(TestTokens.Header(), TestTokens.Claims(Issuer));
        Assert.True((await _handler.ValidateTokenAsync(token, Parameters())).IsValid);

        Assert.False(_cache.TryGet(ValidatedTokenCache.KeyOf(token), 1, out _));
        _cache.Clear();
        Assert.False(_cache.TryGet(ValidatedTokenCache.KeyOf(token), 0, out _));
    }

    [Fact]
    public async Task Token_over_the_size_limit_is_rejected_before_parsing()
    {
        var result = await _handler.ValidateTokenAsync(new string('a', 8193), Parameters());

        Assert.False(result.IsValid);
        Assert.IsType<TokenRejectedException>(result.Exception);
    }

    public void Dispose() => _cache.Dispose();

    private static TokenValidationParameters Parameters(string audience = "billing-api") => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = audience,
        IssuerSigningKeys = [TestTokens.TrustedKey],
        ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        ValidTypes = ["JWT"],
        TryAllIssuerSigningKeys = false,
        IgnoreTrailingSlashWhenValidatingAudience = false,
    };
}

/// <summary>The same through the running service: a cached token does not open the door to its tampered copies.</summary>
[Collection(nameof(ResourceServerCollection))]
public sealed class ValidatedTokenCacheFunctionalTests(ResourceServerFixture fixture)
{
    [Fact]
    public async Task Tampered_copy_of_a_token_the_service_just_accepted_is_rejected()
    {
        var token = await fixture.Idp.GetAccessTokenAsync("payments-service", ct: TestContext.Current.CancellationToken);
        for (var i = 0; i < 2; i++)
        {
            using var accepted = await fixture.SendAsync(Resource.Read("Bearer " + token));
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        var elevated = TestTokens.WithPayload(token, payload =>
        {
            payload["scope"] = System.Text.Json.JsonSerializer.SerializeToElement("billing:read billing:write");
            return payload;
        });
        using var response = await fixture.SendAsync(Resource.Write("Bearer " + elevated));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
