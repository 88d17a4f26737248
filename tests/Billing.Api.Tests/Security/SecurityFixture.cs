using System.Net.Http.Headers;
using TestSupport;

namespace Billing.Api.Tests.Security;

/// <summary>A real EmbeddedIdp and the real Billing.Api over HTTP, shared by the security tests that do not change the IdP.</summary>
public sealed class SecurityFixture : IAsyncLifetime
{
    public EmbeddedIdpFixture Idp { get; } = new();

    public BillingOverHttp Billing { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        await Idp.InitializeAsync();
        Billing = BillingOverHttp.Start(Idp.Issuer);
    }

    /// <summary>GET <paramref name="path"/> with <c>Authorization: Bearer {token}</c>, over TCP.</summary>
    public async Task<HttpResponseMessage> GetAsync(string path, string token)
    {
        using var client = Billing.CreateHttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token);
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string token)
    {
        using var client = Billing.CreateHttpClient();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Billing is not null)
        {
            await Billing.DisposeAsync();
        }

        await Idp.DisposeAsync();
    }
}
