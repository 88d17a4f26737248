using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;

namespace TokenClient.Tests;

public sealed class TokenCacheTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly TokenManagerHarness _harness = new();

    private StubTokenEndpoint Endpoint => _harness.Endpoint;

    private ClientCredentialsTokenManager Tokens => _harness.Tokens;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    private Task<AccessToken> GetAsync(string? scope = null) => Tokens.GetTokenAsync(TokenManagerHarness.Client, scope, Ct);

    /// <summary>Waits for the background refresh, if one is running; a failed one is the test's to assert, not to throw here.</summary>
    private async Task RefreshFinishedAsync()
    {
        if (Tokens.InFlight(TokenManagerHarness.Client, null) is { } refresh)
        {
            await ((Task)refresh).ContinueWith(_ => { }, Ct, TaskContinuationOptions.None, TaskScheduler.Default).WaitAsync(Timeout, Ct);
        }
    }

    [Fact]
    public async Task Token_is_reused_until_sixty_seconds_before_expiry_then_refreshed()
    {
        var first = await GetAsync();

        _harness.Time.Advance(TimeSpan.FromSeconds(239));
        Assert.Equal(first.Value, (await GetAsync()).Value);
        Assert.Equal(1, Endpoint.RequestCount);

        _harness.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(first.Value, (await GetAsync()).Value);
        await RefreshFinishedAsync();
        Assert.Equal(2, Endpoint.RequestCount);
        Assert.Equal("token-2", (await GetAsync()).Value);
    }

    [Fact]
    public async Task Past_the_refresh_point_callers_get_the_valid_token_without_waiting_for_the_refresh()
    {
        var first = await GetAsync();
        _harness.Time.Advance(TimeSpan.FromSeconds(250));
        Endpoint.Hold();

        var during = await GetAsync().WaitAsync(Timeout, Ct);

        Assert.Equal(first.Value, during.Value);
        Endpoint.Release();
        await RefreshFinishedAsync();
        Assert.Equal("token-2", (await GetAsync()).Value);
    }

    [Fact]
    public async Task Short_lived_token_is_refreshed_when_twenty_percent_of_its_lifetime_is_left()
    {
        Endpoint.ExpiresIn = 10;
        var first = await GetAsync();
        Assert.Equal(first.ExpiresAt - TimeSpan.FromSeconds(2), first.RefreshAt);

        _harness.Time.Advance(TimeSpan.FromMilliseconds(7_999));
        Assert.Equal(first.Value, (await GetAsync()).Value);

        _harness.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(first.Value, (await GetAsync()).Value);
        await RefreshFinishedAsync();
        Assert.Equal(2, Endpoint.RequestCount);
        Assert.NotEqual(first.Value, (await GetAsync()).Value);
    }

    [Fact]
    public async Task Expires_in_sent_as_a_string_is_understood()
    {
        Endpoint.ExpiresInAsString = true;

        var token = await GetAsync();

        Assert.Equal(_harness.Time.GetUtcNow().AddSeconds(300), token.ExpiresAt);
        Assert.Equal(token.Value, (await GetAsync()).Value);
        Assert.Equal(1, Endpoint.RequestCount);
    }

    [Fact]
    public async Task Token_without_expires_in_is_never_cached()
    {
        Endpoint.ExpiresIn = 0;

        await GetAsync();
        await GetAsync();

        Assert.Equal(2, Endpoint.RequestCount);
    }

    [Fact]
    public async Task Two_hundred_concurrent_callers_on_a_cold_cache_cause_one_token_request()
    {
        Endpoint.Hold();
        var callers = Enumerable.Range(0, 200).Select(_ => Task.Run(() => GetAsync())).ToArray();
        await Endpoint.FirstRequestReceived.Task.WaitAsync(Timeout, Ct);
        Endpoint.Release();

        var tokens = await Task.WhenAll(callers).WaitAsync(Timeout, Ct);

        Assert.Equal(1, Endpoint.RequestCount);
        Assert.All(tokens, token => Assert.Equal("token-1", token.Value));
    }

    [Fact]
    public async Task Two_hundred_concurrent_callers_past_the_refresh_point_cause_one_token_request()
    {
        await GetAsync();
        _harness.Time.Advance(TimeSpan.FromSeconds(241));

        Endpoint.Hold();
        var tokens = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => GetAsync()))).WaitAsync(Timeout, Ct);
        Endpoint.Release();
        await RefreshFinishedAsync();

        Assert.Equal(2, Endpoint.RequestCount);
        Assert.All(tokens, token => Assert.Equal("token-1", token.Value));
        Assert.Equal("token-2", (await GetAsync()).Value);
    }

    [Fact]
    public async Task Rejected_credentials_fail_with_the_token_endpoints_error_and_are_not_cached()
    {
        Endpoint.Failure = (HttpStatusCode.Unauthorized, "unauthorized_client", "Invalid client or Invalid client credentials");

        var error = await Assert.ThrowsAsync<TokenAcquisitionException>(() => GetAsync());

        Assert.Equal("unauthorized_client", error.Error);
        Assert.Equal("Invalid client or Invalid client credentials", error.ErrorDescription);
        Assert.True(error.IsCredentialsRejected);
        Assert.Contains("unauthorized_client", error.Message);
        Assert.DoesNotContain(TokenManagerHarness.Secret, error.Message);

        Endpoint.Failure = null;
        Assert.Equal("token-2", (await GetAsync()).Value);
    }

    [Fact]
    public async Task Failed_refresh_keeps_the_cached_token_until_it_expires()
    {
        var first = await GetAsync();
        Endpoint.Failure = (HttpStatusCode.BadRequest, "invalid_request", "IdP trouble");

        _harness.Time.Advance(TimeSpan.FromSeconds(250));
        Assert.Equal(first.Value, (await GetAsync()).Value);
        await RefreshFinishedAsync();
        Assert.Equal(first.Value, (await GetAsync()).Value);

        _harness.Time.Advance(TimeSpan.FromSeconds(50));
        await Assert.ThrowsAsync<TokenAcquisitionException>(() => GetAsync());
    }

    [Fact]
    public async Task Each_scope_set_has_its_own_token_whatever_the_order_of_its_scopes()
    {
        var read = await GetAsync("billing:read");
        var write = await GetAsync("billing:write");
        var both = await GetAsync("billing:write billing:read");
        var bothAgain = await GetAsync(" billing:read  billing:write billing:read");

        Assert.Equal(3, Endpoint.RequestCount);
        Assert.Equal(3, new[] { read.Value, write.Value, both.Value }.Distinct().Count());
        Assert.Equal(both.Value, bothAgain.Value);
        Assert.Contains("scope=billing%3Aread+billing%3Awrite", Endpoint.LastBody);
    }

    [Fact]
    public async Task Concurrent_renewals_of_a_rejected_token_cause_one_token_request()
    {
        var rejected = await GetAsync();

        Endpoint.Hold();
        var renewals = Enumerable.Range(0, 50)
            .Select(_ => Task.Run(() => Tokens.RenewTokenAsync(TokenManagerHarness.Client, null, rejected, Ct)))
            .ToArray();
        await Endpoint.FirstRequestReceived.Task.WaitAsync(Timeout, Ct);
        Endpoint.Release();
        var renewed = await Task.WhenAll(renewals).WaitAsync(Timeout, Ct);

        Assert.Equal(2, Endpoint.RequestCount);
        Assert.All(renewed, token => Assert.Equal("token-2", token.Value));
        Assert.Equal("token-2", (await GetAsync()).Value);
    }

    [Fact]
    public async Task Basic_authentication_form_encodes_the_credentials()
    {
        await GetAsync();

        var authorization = Endpoint.LastRequest!.Headers.Authorization!;
        Assert.Equal("Basic", authorization.Scheme);
        Assert.Equal("payments-service:s3cret%3Awith%25specials", Encoding.UTF8.GetString(Convert.FromBase64String(authorization.Parameter!)));
        Assert.Equal("grant_type=client_credentials&scope=billing%3Aread", Endpoint.LastBody);
    }

    [Fact]
    public async Task Post_authentication_sends_the_credentials_in_the_body()
    {
        await using var harness = new TokenManagerHarness(new()
        {
            ["TokenClient:billing:TokenEndpoint"] = "http://idp.test/token",
            ["TokenClient:billing:ClientId"] = "payments-service",
            ["TokenClient:billing:ClientSecret"] = "secret",
            ["TokenClient:billing:ClientAuthentication"] = "Post",
            ["TokenClient:billing:RequireHttps"] = "false",
        });

        await harness.Tokens.GetTokenAsync(TokenManagerHarness.Client, cancellationToken: Ct);

        Assert.Null(harness.Endpoint.LastRequest!.Headers.Authorization);
        Assert.Equal("grant_type=client_credentials&client_id=payments-service&client_secret=secret", harness.Endpoint.LastBody);
    }

    [Fact]
    public async Task Token_requests_cache_hits_and_failures_are_counted()
    {
        using var requests = new MetricCollector<long>(_harness.Services.GetRequiredService<IMeterFactory>(),
            TokenClientTelemetry.Name, "token_client.requests");
        using var hits = new MetricCollector<long>(_harness.Services.GetRequiredService<IMeterFactory>(),
            TokenClientTelemetry.Name, "token_client.cache_hits");
        using var failures = new MetricCollector<long>(_harness.Services.GetRequiredService<IMeterFactory>(),
            TokenClientTelemetry.Name, "token_client.failures");

        await GetAsync();
        await GetAsync();
        await GetAsync();
        Endpoint.Failure = (HttpStatusCode.BadRequest, "invalid_scope", "Invalid scopes: nope");
        await Assert.ThrowsAsync<TokenAcquisitionException>(() => GetAsync("nope"));

        Assert.Equal(2, requests.GetMeasurementSnapshot().EvaluateAsCounter());
        Assert.Equal(2, hits.GetMeasurementSnapshot().EvaluateAsCounter());
        var failure = Assert.Single(failures.GetMeasurementSnapshot());
        Assert.Equal("invalid_scope", failure.Tags["error.type"]);
    }

    [Fact]
    public async Task Each_token_request_is_one_span_and_a_cache_hit_is_none()
    {
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == TokenClientTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) =>
                ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { lock (spans) { spans.Add(activity); } },
        };
        ActivitySource.AddActivityListener(listener);

        await GetAsync("span:test");
        await GetAsync("span:test");

        Activity[] ours;
        lock (spans)
        {
            ours = [.. spans.Where(span => (string?)span.GetTagItem("token_client.scope") == "span:test")];
        }

        var span = Assert.Single(ours);
        Assert.Equal("acquire token", span.DisplayName);
        Assert.Equal(TokenManagerHarness.Client, span.GetTagItem("token_client.name"));
        Assert.DoesNotContain(span.Tags, tag => tag.Value?.Contains("token-") == true);
    }

    [Fact]
    public async Task Missing_settings_fail_at_startup_with_messages_naming_the_keys()
    {
        await using var harness = new TokenManagerHarness(new()
        {
            ["TokenClient:billing:Authority"] = "http://idp.test/realms/m2m",
            ["TokenClient:billing:TokenEndpoint"] = "http://idp.test/token",
            ["TokenClient:billing:ClientSecret"] = "do-not-print-me",
            ["TokenClient:billing:RequireHttps"] = "false",
        });

        var error = Assert.Throws<OptionsValidationException>(
            () => harness.Services.GetRequiredService<IOptionsMonitor<TokenClientOptions>>().Get(TokenManagerHarness.Client));

        Assert.Contains("Set exactly one of TokenClient:billing:Authority and TokenClient:billing:TokenEndpoint.", error.Failures);
        Assert.Contains("TokenClient:billing:ClientId is required.", error.Failures);
        Assert.DoesNotContain("do-not-print-me", error.Message);
    }

    [Fact]
    public void Plain_http_token_endpoint_is_refused_outside_Development()
    {
        var options = new TokenClientOptions
        {
            TokenEndpoint = new Uri("http://idp.test/token"),
            ClientId = "payments-service",
            ClientSecret = "secret",
        };

        var result = new TokenClientOptionsValidator(isDevelopment: false).Validate("billing", options);

        Assert.Equal(
            "TokenClient:billing:TokenEndpoint must use https (or set TokenClient:billing:RequireHttps to false for local development).",
            Assert.Single(result.Failures!));
    }
}
