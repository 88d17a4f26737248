using System.Net.Http.Json;

namespace ResourceServer.Tests.Infrastructure;

/// <summary>The test host's endpoints: <c>GET /resource</c> needs <see cref="ReadScope"/>, <c>POST /resource</c> <see cref="WriteScope"/>.</summary>
public static class Resource
{
    public const string Path = "/resource";
    public const string ReadScope = "billing:read";
    public const string WriteScope = "billing:write";

    public static HttpRequestMessage Read(string? authorization) =>
        WithAuthorization(new HttpRequestMessage(HttpMethod.Get, Path), authorization);

    public static HttpRequestMessage Write(string? authorization) =>
        WithAuthorization(new HttpRequestMessage(HttpMethod.Post, Path) { Content = JsonContent.Create(new { }) }, authorization);

    /// <summary>Sets the header verbatim, malformed or not.</summary>
    private static HttpRequestMessage WithAuthorization(HttpRequestMessage request, string? authorization)
    {
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return request;
    }
}
