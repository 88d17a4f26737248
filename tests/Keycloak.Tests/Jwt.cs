using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Keycloak.Tests;

/// <summary>Reads a JWT's header or payload without validating it: the tests assert on what Keycloak put there.</summary>
public static class Jwt
{
    public static JsonElement HeaderOf(string jwt) => Part(jwt, 0);

    public static JsonElement PayloadOf(string jwt) => Part(jwt, 1);

    private static JsonElement Part(string jwt, int index) =>
        JsonDocument.Parse(Base64UrlEncoder.Decode(jwt.Split('.')[index])).RootElement;
}
