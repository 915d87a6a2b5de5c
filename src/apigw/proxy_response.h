// The client's answer from a Lambda proxy integration's result, as API Gateway maps it.
//
// The function's result (Lambda Invoke's answer, through the Lambda API in process):
//   - the function raised (X-Amz-Function-Error): 502 {"message": "Internal server error"}
//     (payload 1.0, REST APIs' wording) or {"message": "Internal Server Error"} (2.0, HTTP APIs');
//   - Invoke itself failed (no such function, ...): 500 {"message": "Internal Server Error"};
//   - an object with statusCode: that status, headers, multiValueHeaders, cookies (2.0: each a
//     Set-Cookie), body (base64-decoded when isBase64Encoded); Content-Type application/json
//     unless the headers give one;
//   - anything else: 2.0 answers 200 with the result as the JSON body (the "simple" response);
//     1.0 answers 502 as for a malformed result.
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include "api/http_server.h"

namespace stator::apigw {

enum class PayloadVersion { k1, k2 };

// An answer of API Gateway itself: `status`, body {"message": message}.
api::HttpResponse GatewayAnswer(int status, const std::string& message);

api::HttpResponse MapLambdaResult(const api::HttpResponse& invoke, PayloadVersion version);

}  // namespace stator::apigw
