using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace TokenClient.Tests;

/// <summary>The exchange handler: the caller's token goes to the IdP only, the API gets the exchanged one, never nothing.</summary>
public sealed class TokenExchangeHandlerTests : IAsyncLifetime
{
    private readonly TokenManagerHarness _harness = new();
    private readonly HttpContextAccessor _accessor = new();
    private readonly RecordingApi _api = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _harness.DisposeAsync();

    private HttpClient Client(SubjectTokenMissing whenMissing) =>
        new(new TokenExchangeHandler(
            _harness.Services.GetRequiredService<TokenExchangeManager>(),
            _harness.Tokens,
            new IncomingAccessToken(_accessor),
            _harness.Services.GetRequiredService<TokenClientTelemetry>(),
            TokenManagerHarness.Client,
            "billing:read",
            "billing-api",
            whenMissing,
            allowHttp: true) { InnerHandler = _api })
        { BaseAddress = new Uri("http://billing.test/") };

    private void ServingRequestWith(string? authorization)
    {
        var context = new DefaultHttpContext();
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        _accessor.HttpContext = context;
    }

    [Fact]
    public async Task Callers_token_is_exchanged_and_only_the_exchanged_token_reaches_the_api()
    {
        ServingRequestWith("Bearer caller-token");
        using var client = Client(SubjectTokenMissing.Refuse);

        using var response = await client.GetAsync("invoices/1", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["token-1"], _api.TokensSeen);
        Assert.Contains("subject_token=caller-token", _harness.Endpoint.LastBody, StringComparison.Ordinal);
        Assert.Contains("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange", _harness.Endpoint.LastBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_caller_token_the_request_is_refused_and_never_sent()
    {
        _accessor.HttpContext = null; // a background job
        using var client = Client(SubjectTokenMissing.Refuse);

        var error = await Assert.ThrowsAsync<TokenAcquisitionException>(() => client.GetAsync("invoices/1", Ct));

        Assert.Contains("no caller token", error.Message, StringComparison.Ordinal);
        Assert.Empty(_api.TokensSeen);
        Assert.Equal(0, _harness.Endpoint.RequestCount);
    }

    [Fact]
    public async Task Without_a_caller_token_the_fallback_sends_the_clients_own_client_credentials_token()
    {
        ServingRequestWith("Basic not-a-bearer");
        using var client = Client(SubjectTokenMissing.UseClientCredentials);

        using var response = await client.GetAsync("invoices/1", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["token-1"], _api.TokensSeen);
        Assert.Contains("grant_type=client_credentials", _harness.Endpoint.LastBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Exchanged_token_is_never_sent_over_plain_http_outside_development()
    {
        ServingRequestWith("Bearer caller-token");
        using var client = new HttpClient(new TokenExchangeHandler(
            _harness.Services.GetRequiredService<TokenExchangeManager>(), _harness.Tokens, new IncomingAccessToken(_accessor),
            _harness.Services.GetRequiredService<TokenClientTelemetry>(), TokenManagerHarness.Client, "billing:read", "billing-api",
            SubjectTokenMissing.Refuse) { InnerHandler = _api })
        { BaseAddress = new Uri("http://billing.test/") };

        await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetAsync("invoices/1", Ct));

        Assert.Empty(_api.TokensSeen);
        Assert.Equal(0, _harness.Endpoint.RequestCount);
    }

    [Fact]
    public async Task Refused_exchange_sends_nothing_to_the_api()
    {
        ServingRequestWith("Bearer caller-token");
        _harness.Endpoint.Failure = (HttpStatusCode.Forbidden, "access_denied", "Client is not within the token audience");
        using var client = Client(SubjectTokenMissing.UseClientCredentials);

        var error = await Assert.ThrowsAsync<TokenAcquisitionException>(() => client.GetAsync("invoices/1", Ct));

        Assert.Equal("access_denied", error.Error);
        Assert.Empty(_api.TokensSeen);
    }

    private sealed class RecordingApi : HttpMessageHandler
    {
        public List<string> TokensSeen { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            TokensSeen.Add(request.Headers.Authorization!.Parameter!);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        }
    }
}
