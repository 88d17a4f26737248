using System.Net;
using System.Net.Http.Headers;
using TestSupport;
using TestSupport.Conformance;

namespace EmbeddedIdp.Tests;

/// <summary>However malformed the request, the answer is an RFC 6749 error, never a 500.</summary>
[Collection(SharedIdp.Name)]
public sealed class RobustnessTests(EmbeddedIdpFixture idp) : IDisposable
{
    private readonly OAuthHttp _http = new(idp);

    public static TheoryData<string> Endpoints => ["token", "token/introspect", "revoke"];

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Huge_body_is_rejected_with_invalid_request(string endpoint)
    {
        var form = OAuthHttp.Form(("grant_type", "client_credentials"), ("token", "x"), ("scope", new string('a', 200_000)));

        var result = await _http.PostAsync(endpoint, form, "payments-service", ClientAuth.Basic);

        AssertInvalidRequest(result);
    }

    [Theory]
    [InlineData("Basic !!!not-base64")]
    [InlineData("Basic ")]
    [InlineData("Basic bm9jb2xvbg==")]
    [InlineData("Bearer abc")]
    public async Task Malformed_authorization_header_is_a_client_error(string header)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, idp.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent(OAuthHttp.Form(("grant_type", "client_credentials"))),
        };
        request.Headers.TryAddWithoutValidation("Authorization", header);

        var result = await _http.SendAsync(request);

        Assert.InRange((int)result.Status, 400, 401);
        Assert.Contains(result.Error, new[] { "invalid_request", "invalid_client" });
    }

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Binary_garbage_body_is_rejected_with_invalid_request(string endpoint)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, _http.Endpoint(endpoint))
        {
            Content = new ByteArrayContent([0xFF, 0xFE, 0x00, 0x25, 0x25, 0x3D, 0xC3, 0x28]),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded");
        request.Headers.Authorization = OAuthHttp.Basic("payments-service", idp.SecretOf("payments-service"));

        var result = await _http.SendAsync(request);

        AssertInvalidRequest(result);
    }

    [Theory]
    [InlineData("PUT", "protocol/openid-connect/token")]
    [InlineData("DELETE", "protocol/openid-connect/token")]
    [InlineData("GET", "protocol/openid-connect/token/introspect")]
    [InlineData("GET", "protocol/openid-connect/revoke")]
    [InlineData("POST", ".well-known/openid-configuration")]
    [InlineData("POST", "protocol/openid-connect/certs")]
    public async Task Wrong_method_is_405_as_Keycloaks_resources_answer(string method, string path)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), $"{idp.Issuer}/{path}");
        if (method is "PUT" or "POST")
        {
            request.Content = new FormUrlEncodedContent(OAuthHttp.Form(("grant_type", "client_credentials")));
        }

        var result = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, result.Status);
        Assert.Equal("HTTP 405 Method Not Allowed", result.Error);
    }

    [Fact]
    public async Task Multipart_body_on_the_token_endpoint_is_415()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, idp.TokenEndpoint)
        {
            Content = new MultipartFormDataContent { { new StringContent("client_credentials"), "grant_type" } },
        };
        request.Headers.Authorization = OAuthHttp.Basic("payments-service", idp.SecretOf("payments-service"));

        var result = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, result.Status);
        Assert.Equal("HTTP 415 Unsupported Media Type", result.Error);
    }

    [Fact]
    public async Task Parameter_with_control_characters_is_rejected_with_invalid_request()
    {
        var result = await _http.PostAsync("token", OAuthHttp.Form(("grant_type", "client_credentials"), ("scope", "billing:read\0\r\n\u2028")),
            "payments-service", ClientAuth.Basic);

        AssertInvalidRequest(result);
    }

    private static void AssertInvalidRequest(OAuthResult result)
    {
        Assert.Equal(HttpStatusCode.BadRequest, result.Status);
        Assert.Equal("invalid_request", result.Error);
        Assert.False(string.IsNullOrEmpty(result.ErrorDescription));
    }

    public void Dispose() => _http.Dispose();
}
