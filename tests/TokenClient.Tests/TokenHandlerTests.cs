using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;

namespace TokenClient.Tests;

/// <summary>The delegating handler against an in-memory API that rejects tokens on demand.</summary>
public sealed class TokenHandlerTests : IAsyncLifetime
{
    private readonly TokenManagerHarness _harness = new();
    private readonly FakeApi _api = new();
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        var handler = new ClientCredentialsTokenHandler(
            _harness.Tokens, _harness.Services.GetRequiredService<TokenClientTelemetry>(), TokenManagerHarness.Client, "billing:write",
            allowHttp: true)
        {
            InnerHandler = _api,
        };
        _client = new HttpClient(handler) { BaseAddress = new Uri("http://billing.test/") };
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _harness.DisposeAsync();
    }

    [Fact]
    public async Task Invalid_token_answer_is_replayed_once_with_a_new_token()
    {
        _api.Challenges.Enqueue("""Bearer error="invalid_token", error_description="The signature key was not found" """);

        using var response = await _client.PostAsync("invoices", new StringContent("{}"), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(["token-1", "token-2"], _api.TokensSeen);
        Assert.Equal(2, _harness.Endpoint.RequestCount);
    }

    [Fact]
    public async Task Second_invalid_token_answer_is_returned_without_another_replay()
    {
        _api.Challenges.Enqueue("Bearer error=\"invalid_token\"");
        _api.Challenges.Enqueue("Bearer error=\"invalid_token\"");

        using var response = await _client.GetAsync("invoices/1", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(2, _api.TokensSeen.Count);
    }

    [Fact]
    public async Task Insufficient_scope_is_not_replayed()
    {
        _api.Challenges.Enqueue("Bearer error=\"insufficient_scope\", scope=\"billing:write\"");

        using var response = await _client.GetAsync("invoices/1", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Single(_api.TokensSeen);
        Assert.Equal(1, _harness.Endpoint.RequestCount);
    }

    [Fact]
    public async Task Streamed_body_is_not_replayed()
    {
        _api.Challenges.Enqueue("Bearer error=\"invalid_token\"");

        using var response = await _client.PostAsync("invoices", new StreamContent(new MemoryStream([1, 2, 3])), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Single(_api.TokensSeen);
    }

    [Fact]
    public async Task Without_a_token_the_request_is_never_sent()
    {
        _harness.Endpoint.Failure = (HttpStatusCode.Unauthorized, "unauthorized_client", "Invalid client or Invalid client credentials");

        var error = await Assert.ThrowsAsync<TokenAcquisitionException>(() => _client.GetAsync("invoices/1", Ct));

        Assert.True(error.IsCredentialsRejected);
        Assert.Empty(_api.TokensSeen);
    }

    [Fact]
    public async Task Request_sends_the_scope_of_its_handler()
    {
        using var response = await _client.GetAsync("invoices/1", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("grant_type=client_credentials&scope=billing%3Awrite", _harness.Endpoint.LastBody);
    }

    [Fact]
    public async Task Request_can_ask_for_another_scope_set_and_gets_its_own_token()
    {
        using var write = await _client.GetAsync("invoices/1", Ct);
        using var request = new HttpRequestMessage(HttpMethod.Get, "invoices/1").SetTokenScope("billing:read");
        using var read = await _client.SendAsync(request, Ct);

        Assert.Equal(["token-1", "token-2"], _api.TokensSeen);
        Assert.Equal("grant_type=client_credentials&scope=billing%3Aread", _harness.Endpoint.LastBody);
    }

    [Fact]
    public async Task Token_is_never_sent_to_a_plain_http_address_unless_http_is_allowed()
    {
        using var strict = new HttpClient(new ClientCredentialsTokenHandler(
            _harness.Tokens, _harness.Services.GetRequiredService<TokenClientTelemetry>(), TokenManagerHarness.Client, "billing:write")
        {
            InnerHandler = _api,
        });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => strict.GetAsync("http://billing.test/invoices/1", Ct));
        Assert.Contains("https is required", error.Message);
        Assert.Empty(_api.TokensSeen);
        Assert.Equal(0, _harness.Endpoint.RequestCount);

        using var response = await strict.GetAsync("https://billing.test/invoices/1", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private sealed class FakeApi : HttpMessageHandler
    {
        public Queue<string> Challenges { get; } = new();

        public List<string> TokensSeen { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            TokensSeen.Add(request.Headers.Authorization!.Parameter!);
            if (request.Content is not null)
            {
                await request.Content.ReadAsByteArrayAsync(cancellationToken);
            }

            if (!Challenges.TryDequeue(out var challenge))
            {
                return new HttpResponseMessage(HttpStatusCode.OK);
            }

            var response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
            response.Headers.WwwAuthenticate.Add(AuthenticationHeaderValue.Parse(challenge.Trim()));
            return response;
        }
    }
}
