#include "format/content_address.h"

#include <gtest/gtest.h>

using namespace nixpp;

TEST(ContentAddress, ParsesAndPrintsEachMethod) {
  struct Case {
    std::string in;
    ContentAddressMethod method;
    HashAlgo algo;
    std::string methodAlgo;
  } cases[] = {
      {"fixed:r:sha256:00az4v8lzcfyah2faflqy6kazmkybchbf9d2g2kl6mx6iy1hf43x", ContentAddressMethod::nar,
       HashAlgo::sha256, "r:sha256"},
      {"fixed:sha1:iwjz551fyw0cxcjgf4l6c879zabd6wpm", ContentAddressMethod::flat, HashAlgo::sha1, "sha1"},
      {"fixed:md5:4425hx5d1mc9y39llj4k4nm55i", ContentAddressMethod::flat, HashAlgo::md5, "md5"},
      {"fixed:r:sha512:1k7laaqknc2w11c70p2i8z2y73viq108qz046m5x3qyrjshxc8iihf3571w6lr6sj5pql8bkdrwgd342v36im96kdmhrjrmp1imnm1v",
       ContentAddressMethod::nar, HashAlgo::sha512, "r:sha512"},
      {"text:sha256:0bf6zzz02vwy3cylg14y538x858lnzsrkkx7h73hg748xzwr42n3", ContentAddressMethod::text,
       HashAlgo::sha256, "text:sha256"},
  };
  for (auto& c : cases) {
    auto ca = ContentAddress::parse(c.in);
    EXPECT_EQ(ca.method, c.method) << c.in;
    EXPECT_EQ(ca.hash.algo(), c.algo) << c.in;
    EXPECT_EQ(ca.to_string(), c.in);
    EXPECT_EQ(ca.printMethodAlgo(), c.methodAlgo);
  }
}

TEST(ContentAddress, AcceptsBase16AndBase64DigestsAndPrintsNix32) {
  auto h = hashString(HashAlgo::sha256, "");
  auto expect = "fixed:r:sha256:" + h.to_string(HashFormat::nix32, false);
  EXPECT_EQ(ContentAddress::parse("fixed:r:sha256:" + h.to_string(HashFormat::base16, false)).to_string(), expect);
  EXPECT_EQ(ContentAddress::parse("fixed:r:sha256:" + h.to_string(HashFormat::base64, false)).to_string(), expect);
}

TEST(ContentAddress, RejectsMalformedInput) {
  struct Case {
    std::string in, msg;
  } cases[] = {
      {"", "not a content address because it is not in the form '<prefix>:<rest>': "},
      {"fixed", "not a content address because it is not in the form '<prefix>:<rest>': fixed"},
      {"fixed:sha256", "content address hash must be in form '<algo>:<hash>', but found: fixed:sha256"},
      {"blob:sha256:abc",
       "content address prefix 'blob' is unrecognized. Recogonized prefixes are 'text' or 'fixed'"},
      {"text:sha1:iwjz551fyw0cxcjgf4l6c879zabd6wpm",
       "text content address hash should use sha256, but instead uses sha1"},
      {"text:r:sha256:abc", ""},  // "r:" is not allowed for text: 'r' is no hash algorithm
      {"fixed:sha3:abc", ""},
      {"fixed:sha256:tooshort", ""},
      {"fixed:r:sha1:iwjz551fyw0cxcjgf4l6c879zabd6wpe", ""},  // 'e' is no nix32 digit
  };
  for (auto& c : cases) {
    try {
      ContentAddress::parse(c.in);
      ADD_FAILURE() << "accepted " << c.in;
    } catch (BadContentAddress& e) {
      if (!c.msg.empty()) {
        EXPECT_EQ(e.what(), c.msg);
      }
    } catch (BadHash&) {
      EXPECT_TRUE(c.msg.empty()) << c.in;
    }
  }
}

TEST(ContentAddress, MethodPrefixes) {
  EXPECT_EQ(printContentAddressMethodPrefix(ContentAddressMethod::text), "text:");
  EXPECT_EQ(printContentAddressMethodPrefix(ContentAddressMethod::flat), "fixed:");
  EXPECT_EQ(printContentAddressMethodPrefix(ContentAddressMethod::nar), "fixed:r:");
}
