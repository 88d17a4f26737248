using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ResourceServer.Tests.Infrastructure;
using TestSupport;

namespace ResourceServer.Tests.Introspection;

/// <summary>What the introspection cache saves, counted where it matters: requests arriving at the IdP's introspection endpoint.</summary>
public sealed class IntrospectionCacheTests(EmbeddedIdpFixture idp) : IClassFixture<EmbeddedIdpFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Same_token_again_is_answered_from_the_cache()
    {
        await using var host = await ResourceServerHost.StartAsync(idp.Issuer, IntrospectionSettings.For(idp));
        var token = await idp.GetAccessTokenAsync("payments-service", ct: Ct);
        var before = idp.IntrospectionRequestCount;

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, token));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, token));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, token));

        Assert.Equal(1, idp.IntrospectionRequestCount - before);
    }

    [Fact]
    public async Task Concurrent_requests_with_one_new_token_share_one_introspection()
    {
        await using var host = await ResourceServerHost.StartAsync(idp.Issuer, IntrospectionSettings.For(idp));
        var token = await idp.GetAccessTokenAsync("payments-service", ct: Ct);
        var before = idp.IntrospectionRequestCount;

        var statuses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => StatusAsync(host, token)));

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(1, idp.IntrospectionRequestCount - before);
    }

    [Fact]
    public async Task Inactive_token_is_remembered_briefly_too()
    {
        await using var host = await ResourceServerHost.StartAsync(idp.Issuer, IntrospectionSettings.For(idp));
        var foreign = await idp.GetAccessTokenAsync("checkout-service", ct: Ct);
        var before = idp.IntrospectionRequestCount;

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(host, foreign));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(host, foreign));

        Assert.Equal(1, idp.IntrospectionRequestCount - before);
    }

    [Fact]
    public async Task Without_the_cache_every_request_is_introspected()
    {
        var settings = IntrospectionSettings.For(idp).With("ResourceServer:Introspection:CacheDuration", "00:00:00");
        await using var host = await ResourceServerHost.StartAsync(idp.Issuer, settings);
        var token = await idp.GetAccessTokenAsync("payments-service", ct: Ct);
        var before = idp.IntrospectionRequestCount;

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, token));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, token));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, token));

        Assert.Equal(3, idp.IntrospectionRequestCount - before);
    }

    [Fact]
    public async Task Cached_answer_is_asked_again_after_CacheDuration_and_never_outlives_the_token()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = IntrospectionSettings.For(idp).With("ResourceServer:Introspection:CacheDuration", "00:05:00");
        await using var host = await ResourceServerHost.StartAsync(idp.Issuer, settings, services => services.AddSingleton<TimeProvider>(clock));
        var token = await idp.GetAccessTokenAsync("payments-service", ct: Ct);
        var before = idp.IntrospectionRequestCount;

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, token));
        clock.Advance(TimeSpan.FromSeconds(200));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, token));
        Assert.Equal(1, idp.IntrospectionRequestCount - before);

        // The token lives 300 s: past exp and the 30 s skew, the cached answer (good for 5 min) must not be used.
        clock.Advance(TimeSpan.FromSeconds(140));
        using var expired = await SendAsync(host, token);
        await IntrospectionModeTests.AssertInvalidToken(expired, "The token is expired");
        Assert.Equal(2, idp.IntrospectionRequestCount - before);
    }

    [Fact]
    public async Task Active_answer_is_reused_no_longer_than_CacheDuration()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var settings = IntrospectionSettings.For(idp).With("ResourceServer:Introspection:CacheDuration", "00:00:30");
        await using var host = await ResourceServerHost.StartAsync(idp.Issuer, settings, services => services.AddSingleton<TimeProvider>(clock));
        var token = await idp.GetAccessTokenAsync("payments-service", ct: Ct);
        var before = idp.IntrospectionRequestCount;

        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, token));
        clock.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, token));
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, token));

        Assert.Equal(2, idp.IntrospectionRequestCount - before);
    }

    private static async Task<HttpStatusCode> StatusAsync(ResourceServerHost host, string token)
    {
        using var response = await SendAsync(host, token);
        return response.StatusCode;
    }

    private static async Task<HttpResponseMessage> SendAsync(ResourceServerHost host, string token)
    {
        using var client = host.CreateClient();
        using var request = Resource.Read("Bearer " + token);
        return await client.SendAsync(request, Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
    }
}
